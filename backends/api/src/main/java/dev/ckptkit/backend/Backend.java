package dev.ckptkit.backend;

import dev.ckptkit.io.CkptReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A producer or consumer of CKPT images for one outside format (CRIU image dirs, ELF cores, DMTCP images...).
 * Implementations are listed in META-INF/services/dev.ckptkit.backend.Backend and found through ServiceLoader.
 * Backends write only through the reader-writer API, never bytes of their own.
 */
public interface Backend {
    /** Short name used on the command line: {@code --to NAME}, {@code --backend NAME}. */
    String name();

    /** One line for {@code ckpt backends}. */
    String description();

    /** True if {@code input} looks like this backend's format (cheap sniffing: magic numbers, file names). */
    boolean canImport(Path input) throws IOException;

    /** Reads {@code input} and writes one CKPT image through {@code ctx}. */
    void importImage(Path input, ImportContext ctx) throws IOException;

    default boolean canExport() { return false; }

    /** Writes {@code image} in this backend's format at {@code output}. */
    default void exportImage(CkptReader image, Path output, ExportOptions options) throws IOException {
        throw new UnsupportedOperationException(name() + " cannot export");
    }

    /** True if this backend can checkpoint a live process tree (it drives a checkpointer such as criu). */
    default boolean canCapture() { return false; }

    /** Checkpoints the live tree rooted at {@code pid} and writes it as one CKPT image through {@code ctx}. */
    default void capture(int pid, CaptureOptions options, ImportContext ctx) throws IOException {
        throw new UnsupportedOperationException(name() + " cannot capture live processes");
    }

    /** True if this backend can restart an image as live processes. */
    default boolean canRestore() { return false; }

    /** Restores {@code image} as a detached process tree on this machine. */
    default RestoreResult restore(CkptReader image, RestoreOptions options) throws IOException {
        throw new UnsupportedOperationException(name() + " cannot restore");
    }
}
