package dev.ckptkit.spec;

/** How a section's payload is stored. */
public enum Codec {
    NONE(0), ZSTD(1);

    public final int code;

    Codec(int code) { this.code = code; }

    /** Returns null for codes this version does not know. */
    public static Codec of(int code) {
        for (Codec c : values()) if (c.code == code) return c;
        return null;
    }
}
