package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.CkptReader;

/**
 * What rules look at: the image's tables, the reader (for checksums and the page index; null in table-only tests)
 * and the target host profile (null when validating without a target: host rules are skipped). {@code shellJob}:
 * the restore will run as a shell job (criu restore --shell-job from a terminal), which gives the restored
 * processes the restorer's session and terminal instead of those outside the image.
 */
public record ValidationContext(ImageFacts image, CkptReader reader, HostProfile target, boolean shellJob) {
    public ValidationContext(ImageFacts image, CkptReader reader, HostProfile target) {
        this(image, reader, target, false);
    }

    public boolean hasTarget() { return target != null; }
}
