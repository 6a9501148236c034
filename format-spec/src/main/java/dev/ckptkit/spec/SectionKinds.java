package dev.ckptkit.spec;

/** Section kind numbers (SPEC.md, "Sections"). Readers skip kinds they do not know. */
public final class SectionKinds {
    private SectionKinds() {}

    public static final int DIRECTORY = 0;
    public static final int MANIFEST = 1;
    public static final int TABLE = 2;
    public static final int PAGE_BLOCK = 3;
    public static final int PAGE_INDEX = 4;
    public static final int PAGE_HASHES = 5;
    public static final int NATIVE = 6;
    public static final int ATTACHMENT = 7;

    public static String name(int kind) {
        return switch (kind) {
            case DIRECTORY -> "directory";
            case MANIFEST -> "manifest";
            case TABLE -> "table";
            case PAGE_BLOCK -> "page-block";
            case PAGE_INDEX -> "page-index";
            case PAGE_HASHES -> "page-hashes";
            case NATIVE -> "native";
            case ATTACHMENT -> "attachment";
            default -> "unknown-" + kind;
        };
    }
}
