package dev.ckptkit.analyzer.diff;

/**
 * What a diff looks at and how much it reports.
 *
 * @param bytes         also read the changed pages and find the changed byte ranges (the only option that reads page data)
 * @param contextLines  hexdump lines of 16 bytes shown before and after each changed byte range
 * @param maxRanges     changed page ranges listed per memory area (the counts are always complete)
 * @param maxByteRanges changed byte ranges listed in all (the byte count is always complete)
 */
public record DiffOptions(boolean bytes, int contextLines, int maxRanges, int maxByteRanges) {
    public DiffOptions {
        if (contextLines < 0 || maxRanges < 0 || maxByteRanges < 0) throw new IllegalArgumentException("limits must be >= 0");
    }

    public static DiffOptions defaults() { return new DiffOptions(false, 1, 32, 64); }

    public DiffOptions withBytes(boolean b) { return new DiffOptions(b, contextLines, maxRanges, maxByteRanges); }
}
