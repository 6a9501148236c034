package dev.ckptkit.io;

import java.io.IOException;

/** A well-formed image this reader must not read: another major version, or unknown incompat features. */
public class UnsupportedImageException extends IOException {
    public UnsupportedImageException(String resource, String message) {
        super(resource + ": " + message);
    }
}
