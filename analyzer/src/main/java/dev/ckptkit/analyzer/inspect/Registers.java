package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.table.ThreadRow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Names the registers of a thread row and decodes the FXSAVE/XSAVE area. */
public final class Registers {
    private Registers() {}

    /** x86_64 struct user_regs_struct order (the kernel's NT_PRSTATUS layout). */
    public static final List<String> X86_64 = List.of("r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9",
            "r8", "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base",
            "gs_base", "ds", "es", "fs", "gs");

    /** aarch64 struct user_pt_regs order: x0..x30, sp, pc, pstate. */
    public static final List<String> AARCH64;

    static {
        List<String> a = new ArrayList<>();
        for (int i = 0; i <= 30; i++) a.add("x" + i);
        a.add("sp");
        a.add("pc");
        a.add("pstate");
        AARCH64 = List.copyOf(a);
    }

    public static List<String> names(String arch) {
        if (arch == null) return List.of();
        return switch (arch) {
            case "x86_64", "x86-64", "amd64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> List.of();
        };
    }

    public static ThreadInfo decode(ThreadRow t) {
        List<String> names = names(t.arch());
        List<ThreadInfo.Register> gp = new ArrayList<>();
        List<Long> regs = t.gpRegs() == null ? List.of() : t.gpRegs();
        for (int i = 0; i < regs.size(); i++) {
            gp.add(new ThreadInfo.Register(i < names.size() ? names.get(i) : "r" + i, regs.get(i) == null ? 0 : regs.get(i)));
        }
        ThreadInfo.FpState fp = isX86(t.arch()) ? x86Fp(t.fpRegs(), t.fpFormat(), t.xstateBv()) : null;
        return new ThreadInfo(t.pid(), t.tid(), t.name(), t.arch(), List.copyOf(gp), fp, t.sigBlocked(), t.sigPending(), t.syscall());
    }

    private static boolean isX86(String arch) {
        return names(arch) == X86_64;
    }

    private static final int FXSAVE_SIZE = 512;
    private static final int XSAVE_AVX_OFFSET = 576;
    private static final long XFEATURE_AVX = 1L << 2;

    /** FXSAVE layout (Intel SDM vol. 1, 10.5.1): fcw, fsw, ftw, ..., mxcsr at 24, st0-7 at 32, xmm0-15 at 160. */
    static ThreadInfo.FpState x86Fp(byte[] area, String format, Long xstateBv) {
        if (area == null || area.length < FXSAVE_SIZE) return null;
        ByteBuffer b = ByteBuffer.wrap(area).order(ByteOrder.LITTLE_ENDIAN);
        Long bv = xstateBv;
        if (bv == null && area.length >= FXSAVE_SIZE + 8 && "xsave".equals(format)) bv = b.getLong(FXSAVE_SIZE);
        boolean avx = bv != null && (bv & XFEATURE_AVX) != 0 && area.length >= XSAVE_AVX_OFFSET + 256;
        List<ThreadInfo.Register> st = new ArrayList<>();
        for (int i = 0; i < 8; i++) st.add(new ThreadInfo.Register("st" + i, b.getLong(32 + 16 * i)));
        List<String> names = new ArrayList<>(), values = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            byte[] v = new byte[avx ? 32 : 16];
            System.arraycopy(area, 160 + 16 * i, v, 0, 16);
            if (avx) System.arraycopy(area, XSAVE_AVX_OFFSET + 16 * i, v, 16, 16);
            names.add((avx ? "ymm" : "xmm") + i);
            values.add("0x" + HexFormat.of().formatHex(reverse(v)));
        }
        return new ThreadInfo.FpState(format == null ? "fxsave" : format, area.length, bv, b.getShort(0) & 0xffff,
                b.getShort(2) & 0xffff, b.get(4) & 0xff, b.getInt(24) & 0xffffffffL, List.copyOf(st), List.copyOf(names),
                List.copyOf(values));
    }

    private static byte[] reverse(byte[] v) {
        byte[] r = new byte[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[v.length - 1 - i];
        return r;
    }
}
