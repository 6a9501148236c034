package dev.ckptkit.spec;

/**
 * Feature bits of the header (SPEC.md, "Features"). Three bitmaps, as in ext4 and git's index:
 * a reader ignores compat bits it does not know; may read but must not rewrite a file with unknown ro-compat bits;
 * and must refuse a file with unknown incompat bits, naming them.
 */
public enum Feature {
    /** Some section is zstd-compressed: a reader without zstd cannot read it. */
    ZSTD_SECTIONS(Set.INCOMPAT, 0),
    /** Unique pages are deduplicated by content hash (several index entries may share one stored page). */
    PAGE_DEDUP(Set.RO_COMPAT, 0),
    /** The file carries backend-native sections for exact conversion back to the source format. */
    NATIVE_RECORDS(Set.COMPAT, 0),
    /** The file carries attachments (files from the source, e.g. a container's rootfs diff). */
    ATTACHMENTS(Set.COMPAT, 1);

    public enum Set { COMPAT, RO_COMPAT, INCOMPAT }

    public final Set set;
    public final int bit;

    Feature(Set set, int bit) { this.set = set; this.bit = bit; }

    public long mask() { return 1L << bit; }

    /** Bits of {@code set} that this version knows. */
    public static long known(Set set) {
        long m = 0;
        for (Feature f : values()) if (f.set == set) m |= f.mask();
        return m;
    }

    public static String describe(Set set, long bits) {
        StringBuilder sb = new StringBuilder();
        for (int b = 0; b < 64; b++) {
            if ((bits & (1L << b)) == 0) continue;
            if (!sb.isEmpty()) sb.append(", ");
            String name = null;
            for (Feature f : values()) if (f.set == set && f.bit == b) name = f.name().toLowerCase();
            sb.append(name != null ? name : "bit " + b + " (unknown)");
        }
        return sb.toString();
    }
}
