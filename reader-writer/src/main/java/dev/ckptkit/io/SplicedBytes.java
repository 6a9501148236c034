package dev.ckptkit.io;

import java.io.IOException;

/**
 * Bytes that the caller moves into the image file itself, e.g. with splice(2) from a pipe that another process
 * filled, so that they cross no buffer of this JVM. The writer decides where they go and frames them.
 */
@FunctionalInterface
public interface SplicedBytes {
    /** Writes exactly {@code length} bytes to the file open as descriptor {@code fd}, from {@code offset} on. */
    void writeTo(int fd, long offset, long length) throws IOException;
}
