package dev.ckptkit.backend;

import java.util.List;

/**
 * How a live capture runs.
 *
 * @param leaveRunning   keep the process tree running after the dump (default: the checkpointer kills it)
 * @param shellJob       the tree is a job of a shell: its session and terminal are outside the dump
 * @param tcpEstablished dump established TCP connections (they are repaired on restore)
 * @param external       resources outside the dump, in the checkpointer's syntax (CRIU {@code --external})
 */
public record CaptureOptions(boolean leaveRunning, boolean shellJob, boolean tcpEstablished, List<String> external) {
    public CaptureOptions {
        external = external == null ? List.of() : List.copyOf(external);
    }

    public static CaptureOptions defaults() {
        return new CaptureOptions(false, false, false, List.of());
    }
}
