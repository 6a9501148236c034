package dev.ckptkit.cli;

/** Exit codes of every ckpt command (README, "Exit codes"). */
public final class ExitCodes {
    private ExitCodes() {}

    /** Success; for verify: the image is sound; for diff: same; for validate: go. */
    public static final int OK = 0;
    /** A negative answer: verify found corruption, diff found differences, validate says no-go. */
    public static final int NEGATIVE = 1;
    /** Trouble: bad usage, unreadable or corrupt input, a missing tool; the message says which. */
    public static final int TROUBLE = 2;
}
