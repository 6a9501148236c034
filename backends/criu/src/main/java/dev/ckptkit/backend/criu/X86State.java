package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.criu.proto.UserX86FpregsEntry;
import dev.ckptkit.backend.criu.proto.UserX86RegsEntry;
import dev.ckptkit.backend.criu.proto.UserX86XsaveEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** x86_64 register state from a CRIU core image, laid out as the kernel does (user_regs_struct, FXSAVE/XSAVE). */
final class X86State {
    static final int FXSAVE_SIZE = 512;
    private static final int XSAVE_HEADER = 512;

    private X86State() {}

    /** The 27 registers in user_regs_struct order: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss fs_base gs_base ds es fs gs. */
    static List<Long> gpRegs(UserX86RegsEntry r) {
        return List.of(r.getR15(), r.getR14(), r.getR13(), r.getR12(), r.getBp(), r.getBx(), r.getR11(), r.getR10(),
                r.getR9(), r.getR8(), r.getAx(), r.getCx(), r.getDx(), r.getSi(), r.getDi(), r.getOrigAx(), r.getIp(),
                r.getCs(), r.getFlags(), r.getSp(), r.getSs(), r.getFsBase(), r.getGsBase(), r.getDs(), r.getEs(),
                r.getFs(), r.getGs());
    }

    /**
     * The FXSAVE area (512 bytes), followed by the XSAVE header and extended components when CRIU saved them, where
     * the dumping CPU's XSAVE {@code layout} puts them (as its kernel would have written the area).
     */
    static byte[] fpArea(UserX86FpregsEntry f, XsaveLayout layout) {
        boolean xsave = f.hasXsave();
        ByteBuffer b = ByteBuffer.allocate(xsave ? layout.size() : FXSAVE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) f.getCwd());
        b.putShort(2, (short) f.getSwd());
        b.putShort(4, (short) f.getTwd());
        b.putShort(6, (short) f.getFop());
        b.putLong(8, f.getRip());
        b.putLong(16, f.getRdp());
        b.putInt(24, f.getMxcsr());
        b.putInt(28, f.getMxcsrMask());
        putInts(b, 32, f.getStSpaceList(), 32);
        putInts(b, 160, f.getXmmSpaceList(), 64);
        putInts(b, 416, f.getPaddingList(), 24);
        if (xsave) {
            UserX86XsaveEntry x = f.getXsave();
            b.putLong(XSAVE_HEADER, x.getXstateBv());
            putInts(b, layout.ymm(), x.getYmmhSpaceList(), 64);
            if (layout.bndregs() >= 0) {
                putLongs(b, layout.bndregs(), x.getBndregStateList(), 8);
                putLongs(b, layout.bndcsr(), x.getBndcsrStateList(), 8);
            }
            putLongs(b, layout.opmask(), x.getOpmaskRegList(), 8);
            putLongs(b, layout.zmmHi256(), x.getZmmUpperList(), 64);
            putLongs(b, layout.hi16Zmm(), x.getHi16ZmmList(), 128);
            putInts(b, layout.pkru(), x.getPkruList(), 2);
        }
        return b.array();
    }

    private static void putInts(ByteBuffer b, int at, List<Integer> v, int max) {
        for (int i = 0; i < Math.min(v.size(), max); i++) b.putInt(at + 4 * i, v.get(i));
    }

    private static void putLongs(ByteBuffer b, int at, List<Long> v, int max) {
        for (int i = 0; i < Math.min(v.size(), max); i++) b.putLong(at + 8 * i, v.get(i));
    }
}
