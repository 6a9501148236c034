package dev.ckptkit.io;

import dev.ckptkit.spec.Feature;
import java.util.UUID;

/** The fixed header of a CKPT file. */
public record Header(int major, int minor, long compat, long roCompat, long incompat, UUID uuid,
                     String writerName, String writerVersion) {

    public boolean has(Feature f) {
        long bits = switch (f.set) {
            case COMPAT -> compat;
            case RO_COMPAT -> roCompat;
            case INCOMPAT -> incompat;
        };
        return (bits & f.mask()) != 0;
    }

    /** A reader may rewrite (convert, redact) only files whose ro-compat features it knows. */
    public boolean rewritable() {
        return (roCompat & ~Feature.known(Feature.Set.RO_COMPAT)) == 0;
    }
}
