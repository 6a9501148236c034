package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.criu.proto.ThreadInfoX86;
import dev.ckptkit.backend.criu.proto.UserX86FpregsEntry;
import dev.ckptkit.backend.criu.proto.UserX86RegsEntry;
import dev.ckptkit.backend.criu.proto.UserX86XsaveEntry;
import dev.ckptkit.io.table.ThreadRow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * The inverse of {@link X86State}: a thread's x86_64 registers from the threads table (user_regs_struct order,
 * FXSAVE/XSAVE area as the kernel lays it out) as CRIU's thread_info. XSAVE components go in at the sizes CRIU's
 * restore checks against the CPU (criu/arch/x86/crtools.c valid_xsave_frame), and only those the checkpointed CPU
 * had: CRIU rejects a component whose size differs from the CPU's, and skips one that is absent.
 */
final class X86ThreadInfo {
    private static final int GP_REGS = 27;
    private static final int FXSAVE = 512, XSAVE_HEADER = 512;
    /** Default x87 control word and MXCSR (the FNINIT / reset values) for threads without FPU state. */
    private static final int FCW_INIT = 0x37f, MXCSR_INIT = 0x1f80;

    /**
     * Which XSAVE components the checkpointed CPU had: from the manifest's CPU flags when known, else from how large
     * the saved area is.
     */
    record Features(boolean avx, boolean mpx, boolean avx512, boolean pku) {
        static Features of(List<String> cpuFlags) {
            if (cpuFlags == null || cpuFlags.isEmpty()) return null;
            Set<String> f = Set.copyOf(cpuFlags);
            return new Features(f.contains("avx"), f.contains("mpx"), f.contains("avx512f"), f.contains("ospke") || f.contains("pku"));
        }

        static Features bySize(int size) {
            XsaveLayout l = XsaveLayout.ofLength(size);
            return new Features(size >= l.ymm() + 256, false, size >= l.hi16Zmm() + 1024, size >= l.pkru() + 8);
        }
    }

    private X86ThreadInfo() {}

    /** True if the row holds what a CRIU x86_64 core needs: the 27 general registers. */
    static boolean usable(ThreadRow t) {
        return "x86_64".equals(t.arch()) && t.gpRegs() != null && t.gpRegs().size() >= GP_REGS;
    }

    static ThreadInfoX86 of(ThreadRow t, long clearTidAddr, Features features) {
        return ThreadInfoX86.newBuilder().setClearTidAddr(clearTidAddr).setGpregs(gpRegs(t.gpRegs()))
                .setFpregs(fpRegs(t, features)).build();
    }

    private static UserX86RegsEntry gpRegs(List<Long> g) {
        return UserX86RegsEntry.newBuilder().setR15(g.get(0)).setR14(g.get(1)).setR13(g.get(2)).setR12(g.get(3))
                .setBp(g.get(4)).setBx(g.get(5)).setR11(g.get(6)).setR10(g.get(7)).setR9(g.get(8)).setR8(g.get(9))
                .setAx(g.get(10)).setCx(g.get(11)).setDx(g.get(12)).setSi(g.get(13)).setDi(g.get(14)).setOrigAx(g.get(15))
                .setIp(g.get(16)).setCs(g.get(17)).setFlags(g.get(18)).setSp(g.get(19)).setSs(g.get(20))
                .setFsBase(g.get(21)).setGsBase(g.get(22)).setDs(g.get(23)).setEs(g.get(24)).setFs(g.get(25))
                .setGs(g.get(26)).setMode(1).build();
    }

    private static UserX86FpregsEntry fpRegs(ThreadRow t, Features known) {
        byte[] fp = t.fpRegs() == null ? new byte[0] : t.fpRegs();
        UserX86FpregsEntry.Builder f = UserX86FpregsEntry.newBuilder();
        if (fp.length < FXSAVE) {
            // no saved FPU state: the state a fresh thread starts with (CRIU requires the fields)
            f.setCwd(FCW_INIT).setSwd(0).setTwd(0).setFop(0).setRip(0).setRdp(0).setMxcsr(MXCSR_INIT).setMxcsrMask(0);
            for (int i = 0; i < 32; i++) f.addStSpace(0);
            for (int i = 0; i < 64; i++) f.addXmmSpace(0);
            return f.build();
        }
        ByteBuffer b = ByteBuffer.wrap(fp).order(ByteOrder.LITTLE_ENDIAN);
        f.setCwd(Short.toUnsignedInt(b.getShort(0))).setSwd(Short.toUnsignedInt(b.getShort(2)))
                .setTwd(Short.toUnsignedInt(b.getShort(4))).setFop(Short.toUnsignedInt(b.getShort(6)))
                .setRip(b.getLong(8)).setRdp(b.getLong(16)).setMxcsr(b.getInt(24)).setMxcsrMask(b.getInt(28));
        ints(b, 32, 32, f::addStSpace);
        ints(b, 160, 64, f::addXmmSpace);
        // bytes 416..511 hold the kernel's fx_sw_bytes in a signal frame copy: kept so the area comes back whole
        ints(b, 416, 24, f::addPadding);
        XsaveLayout l = XsaveLayout.ofLength(fp.length);
        boolean xsave = "xsave".equals(t.fpFormat()) && fp.length > l.ymm();
        if (!xsave) return f.build();
        Features has = known != null ? known : Features.bySize(fp.length);
        UserX86XsaveEntry.Builder x = UserX86XsaveEntry.newBuilder()
                .setXstateBv(t.xstateBv() != null ? t.xstateBv() : b.getLong(XSAVE_HEADER));
        if (has.avx() && fp.length >= l.ymm() + 256) ints(b, l.ymm(), 64, x::addYmmhSpace);
        if (has.mpx() && l.bndcsr() >= 0 && fp.length >= l.bndcsr() + 64) {
            longs(b, l.bndregs(), 8, x::addBndregState);
            longs(b, l.bndcsr(), 8, x::addBndcsrState);
        }
        if (has.avx512() && fp.length >= l.hi16Zmm() + 1024) {
            longs(b, l.opmask(), 8, x::addOpmaskReg);
            longs(b, l.zmmHi256(), 64, x::addZmmUpper);
            longs(b, l.hi16Zmm(), 128, x::addHi16Zmm);
        }
        if (has.pku() && fp.length >= l.pkru() + 8) ints(b, l.pkru(), 2, x::addPkru);
        return f.setXsave(x).build();
    }

    private static void ints(ByteBuffer b, int at, int n, IntConsumer sink) {
        for (int i = 0; i < n; i++) sink.accept(b.getInt(at + 4 * i));
    }

    private static void longs(ByteBuffer b, int at, int n, LongConsumer sink) {
        for (int i = 0; i < n; i++) sink.accept(b.getLong(at + 8 * i));
    }
}
