package dev.ckptkit.analyzer.index;

/**
 * How much of each image goes into the index.
 *
 * @param maxStrings      distinct memory strings indexed per image (shared out evenly among its processes)
 * @param minStringLength shortest string indexed, in characters
 * @param maxStringLength longer strings are cut to this many characters
 * @param maxPageHashes   page hashes indexed per image (0: none)
 * @param threads         threads scanning memory for strings
 */
public record IndexOptions(int maxStrings, int minStringLength, int maxStringLength, int maxPageHashes, int threads) {
    public IndexOptions {
        if (maxStrings < 0 || maxPageHashes < 0) throw new IllegalArgumentException("limits must be >= 0");
        if (minStringLength < 1 || maxStringLength < minStringLength) throw new IllegalArgumentException("bad string lengths");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
    }

    public static IndexOptions defaults() {
        return new IndexOptions(10_000, 5, 256, 1_000_000, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }
}
