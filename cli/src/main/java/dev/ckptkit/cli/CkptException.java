package dev.ckptkit.cli;

/** An expected failure: printed as one line "ckpt: MESSAGE", exit with {@link #exitCode()}. */
public class CkptException extends RuntimeException {
    private final int exitCode;

    public CkptException(String message) {
        this(message, ExitCodes.TROUBLE);
    }

    public CkptException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
