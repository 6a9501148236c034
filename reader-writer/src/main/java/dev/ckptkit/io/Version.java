package dev.ckptkit.io;

/** The toolkit's own version, from the jar manifest when packaged. */
public final class Version {
    private Version() {}

    public static final String CURRENT = orDefault(Version.class.getPackage().getImplementationVersion());

    private static String orDefault(String v) {
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
