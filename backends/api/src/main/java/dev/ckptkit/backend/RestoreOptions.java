package dev.ckptkit.backend;

import dev.ckptkit.io.CkptReader;
import java.util.List;

/**
 * How a restore runs; the counterpart of {@link CaptureOptions}.
 *
 * @param shellJob       restore into the caller's session and terminal
 * @param tcpEstablished restore established TCP connections
 * @param external       resources outside the image, in the checkpointer's syntax (CRIU {@code --external})
 * @param keepImages     keep the exported image directory (and logs) instead of deleting it
 * @param parents        the parent chain of an incremental image, nearest first (checked by the caller against the
 *                       images' manifests); empty for an image that stands alone
 */
public record RestoreOptions(boolean shellJob, boolean tcpEstablished, List<String> external, boolean keepImages,
                             List<CkptReader> parents) {
    public RestoreOptions {
        external = external == null ? List.of() : List.copyOf(external);
        parents = parents == null ? List.of() : List.copyOf(parents);
    }

    /** Options for an image that stands alone. */
    public RestoreOptions(boolean shellJob, boolean tcpEstablished, List<String> external, boolean keepImages) {
        this(shellJob, tcpEstablished, external, keepImages, List.of());
    }

    public static RestoreOptions defaults() {
        return new RestoreOptions(false, false, List.of(), false);
    }
}
