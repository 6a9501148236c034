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
        super(oneLine(resource + ": corrupt at offset " + offset + ": " + message), cause);
        this.resource = resource;
        this.offset = offset;
    }

    /**
     * Messages quote bytes of the damaged input (names, signatures): control characters are escaped so that the
     * message stays one printable line, as the CLI promises.
     */
    private static String oneLine(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) b.append(String.format("\\x%02x", c));
            else b.appendCodePoint(c);
        });
        return b.toString();
    }

    public String resource() { return resource; }

    public long offset() { return offset; }
}
