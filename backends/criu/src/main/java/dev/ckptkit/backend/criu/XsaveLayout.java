package dev.ckptkit.backend.criu;

/**
 * Where a standard-format (non-compacted) XSAVE area puts the components CRIU's core image has fields for. The
 * offsets come from CPUID leaf 0xD and are not the same on every x86_64 CPU: Intel's leave room for MPX; AMD's Zen 3
 * to Zen 5 have no MPX and pack AVX-512 and PKRU after AVX (measured on an EPYC: opmask 832, ZMM_Hi256 896,
 * Hi16_ZMM 1408, area 2432 bytes without PKRU). The area's length tells them apart: AMD's is 2432, or 2440 with
 * PKRU; every other length is Intel's layout (also right for areas that end before the AVX-512 components).
 * An offset of -1 means the layout has no such component.
 */
public record XsaveLayout(String name, int ymm, int bndregs, int bndcsr, int opmask, int zmmHi256, int hi16Zmm, int pkru, int size) {
    public static final XsaveLayout INTEL = new XsaveLayout("intel", 576, 960, 1024, 1088, 1152, 1664, 2688, 2696);
    public static final XsaveLayout AMD = new XsaveLayout("amd", 576, -1, -1, 832, 896, 1408, 2432, 2440);

    /** The layout of an XSAVE area of {@code length} bytes, as the kernel wrote it. */
    public static XsaveLayout ofLength(int length) {
        return length == AMD.pkru || length == AMD.size ? AMD : INTEL;
    }

    /**
     * The layout a CRIU image's CPU used, from cpuinfo.img's xsave_size. Without one (images CRIU did not write,
     * such as exports of other images), this machine's: CRIU's fields name components, not offsets, and CRIU
     * itself puts them where the restoring CPU wants them.
     */
    public static XsaveLayout ofXsaveSize(Integer xsaveSize) {
        return xsaveSize != null ? ofLength(xsaveSize) : local();
    }

    /** This machine's layout: AMD's on an AMD CPU (by /proc/cpuinfo's vendor_id), else Intel's. */
    static XsaveLayout local() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("vendor_id")).findFirst()
                    .map(l -> l.endsWith("AuthenticAMD") ? AMD : INTEL).orElse(INTEL);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return INTEL;
        }
    }

    /** Offset of XSAVE component {@code bit} (2 AVX, 3-4 MPX, 5-7 AVX-512, 9 PKRU) and its size; null if not here. */
    public int[] component(int bit) {
        int at = switch (bit) {
            case 2 -> ymm;
            case 3 -> bndregs;
            case 4 -> bndcsr;
            case 5 -> opmask;
            case 6 -> zmmHi256;
            case 7 -> hi16Zmm;
            case 9 -> pkru;
            default -> -1;
        };
        int len = switch (bit) {
            case 2 -> 256;
            case 3 -> 64;
            case 4 -> 64;
            case 5 -> 64;
            case 6 -> 512;
            case 7 -> 1024;
            case 9 -> 8;
            default -> 0;
        };
        return at < 0 ? null : new int[] {at, len};
    }
}
