package dev.ckptkit.analyzer.inspect;

import java.io.IOException;

/** A pid, address, area or file the user asked for is not in the image; the message says what the image has. */
public final class NotInImageException extends IOException {
    public NotInImageException(String message) {
        super(message);
    }
}
