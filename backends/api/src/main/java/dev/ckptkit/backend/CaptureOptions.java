package dev.ckptkit.backend;

import java.nio.file.Path;
import java.util.List;

/**
 * How a live capture runs.
 *
 * @param leaveRunning   keep the process tree running after the dump (default: the checkpointer kills it)
 * @param shellJob       the tree is a job of a shell: its session and terminal are outside the dump
 * @param tcpEstablished dump established TCP connections (they are repaired on restore)
 * @param external       resources outside the dump, in the checkpointer's syntax (CRIU {@code --external})
 * @param parent         an earlier CKPT image of the same tree to take an incremental image against (pages that did
 *                       not change are recorded as absent, in the parent), or null for a full image
 */
public record CaptureOptions(boolean leaveRunning, boolean shellJob, boolean tcpEstablished, List<String> external, Path parent) {
    public CaptureOptions {
        external = external == null ? List.of() : List.copyOf(external);
    }

    /** A full (not incremental) capture. */
    public CaptureOptions(boolean leaveRunning, boolean shellJob, boolean tcpEstablished, List<String> external) {
        this(leaveRunning, shellJob, tcpEstablished, external, null);
    }

    public static CaptureOptions defaults() {
        return new CaptureOptions(false, false, false, List.of());
    }
}
