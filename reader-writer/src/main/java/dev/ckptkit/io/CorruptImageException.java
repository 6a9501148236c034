package dev.ckptkit.io;

import java.io.IOException;

/** The bytes of an image are not what the format allows. The message names the file and the offset. */
public class CorruptImageException extends IOException {
    private final String resource;
    private final long offset;

    public CorruptImageException(String resource, long offset, String message) {
        this(resource, offset, message, null);
    }

    public CorruptImageException(String resource, long offset, String message, Throwable cause) {
        super(resource + ": corrupt at offset " + offset + ": " + message, cause);
        this.resource = resource;
        this.offset = offset;
    }

    public String resource() { return resource; }

    public long offset() { return offset; }
}
