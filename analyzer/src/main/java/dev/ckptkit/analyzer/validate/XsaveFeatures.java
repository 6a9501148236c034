package dev.ckptkit.analyzer.validate;

import java.util.Collection;
import java.util.List;

/**
 * XSAVE state components (XCR0 bits) and the standard (non-compacted) XSAVE area layout. Java cannot execute
 * cpuid/xgetbv, so a host's components are derived from the /proc/cpuinfo flags the kernel prints when it enables
 * them; offsets and sizes are the architectural ones of the standard format (Intel SDM vol. 1, 13.4).
 */
public final class XsaveFeatures {
    private XsaveFeatures() {}

    /** component bit, the cpuinfo flag that implies it, name, offset and size in the standard format. */
    record Component(int bit, String flag, String name, int offset, int size) {}

    static final List<Component> COMPONENTS = List.of(
            new Component(0, "fpu", "x87", 0, 160),
            new Component(1, "sse", "SSE", 160, 256),
            new Component(2, "avx", "AVX (YMM_Hi128)", 576, 256),
            new Component(3, "mpx", "MPX BNDREGS", 960, 64),
            new Component(4, "mpx", "MPX BNDCSR", 1024, 64),
            new Component(5, "avx512f", "AVX-512 opmask", 1088, 64),
            new Component(6, "avx512f", "AVX-512 ZMM_Hi256", 1152, 512),
            new Component(7, "avx512f", "AVX-512 Hi16_ZMM", 1664, 1024),
            new Component(9, "ospke", "PKRU", 2688, 8),
            new Component(17, "amx_tile", "AMX TILECFG", 2752, 64),
            new Component(18, "amx_tile", "AMX TILEDATA", 2816, 8192));

    /** Components enabled on a host with these cpuinfo flags (0 when the host has no xsave at all). */
    public static long fromFlags(Collection<String> flags) {
        if (!flags.contains("xsave")) return 0;
        long mask = 0;
        for (Component c : COMPONENTS) if (flags.contains(c.flag())) mask |= 1L << c.bit();
        return mask;
    }

    /** Size of the standard-format XSAVE area holding these components (512 legacy + 64 header at least). */
    public static int size(long mask) {
        int end = 576;
        for (Component c : COMPONENTS) if (c.bit() >= 2 && (mask & (1L << c.bit())) != 0) end = Math.max(end, c.offset() + c.size());
        return end;
    }

    /** Names of the components set in {@code mask}. */
    public static String names(long mask) {
        StringBuilder sb = new StringBuilder();
        for (Component c : COMPONENTS) {
            if ((mask & (1L << c.bit())) == 0) continue;
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(c.name()).append(" (bit ").append(c.bit()).append(", cpu flag ").append(c.flag()).append(')');
        }
        long known = 0;
        for (Component c : COMPONENTS) known |= 1L << c.bit();
        if ((mask & ~known) != 0) sb.append(sb.isEmpty() ? "" : ", ").append("bits 0x").append(Long.toHexString(mask & ~known));
        return sb.toString();
    }
}
