package dev.ckptkit.analyzer.inspect;

import java.util.List;

/**
 * One thread with its registers decoded.
 *
 * @param gp general purpose registers in the architecture's order (x86_64: user_regs_struct)
 * @param fp decoded floating point / vector state, or null when the image has none
 */
public record ThreadInfo(int pid, int tid, String name, String arch, List<Register> gp, FpState fp, Long sigBlocked,
                         Long sigPending, Long syscall) {

    public record Register(String name, long value) {}

    /**
     * The x87/SSE/AVX state. {@code vectors} are xmm0..15 (or ymm0..15 when the XSAVE area holds AVX state) as hex
     * numbers, most significant byte first, as gdb prints them.
     */
    public record FpState(String format, int size, Long xstateBv, int fcw, int fsw, int ftw, long mxcsr,
                          List<Register> st, List<String> vectorNames, List<String> vectors) {}
}
