package dev.ckptkit.backend;

import java.util.List;

/**
 * How a restore runs; the counterpart of {@link CaptureOptions}.
 *
 * @param shellJob       restore into the caller's session and terminal
 * @param tcpEstablished restore established TCP connections
 * @param external       resources outside the image, in the checkpointer's syntax (CRIU {@code --external})
 * @param keepImages     keep the exported image directory (and logs) instead of deleting it
 */
public record RestoreOptions(boolean shellJob, boolean tcpEstablished, List<String> external, boolean keepImages) {
    public RestoreOptions {
        external = external == null ? List.of() : List.copyOf(external);
    }

    public static RestoreOptions defaults() {
        return new RestoreOptions(false, false, List.of(), false);
    }
}
