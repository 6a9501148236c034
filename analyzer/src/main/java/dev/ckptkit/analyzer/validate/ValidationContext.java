package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.CkptReader;

/**
 * What rules look at: the image's tables, the reader (for checksums and the page index; null in table-only tests)
 * and the target host profile (null when validating without a target: host rules are skipped).
 */
public record ValidationContext(ImageFacts image, CkptReader reader, HostProfile target) {
    public boolean hasTarget() { return target != null; }
}
