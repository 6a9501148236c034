package dev.ckptkit.analyzer.validate;

/** How much a finding weighs on the verdict. */
public enum Severity {
    /** Restore will fail or the restored processes will be broken: no-go. */
    ERROR,
    /** The facts needed to decide are missing (e.g. the target profile lacks them): could not decide. */
    UNDECIDED,
    /** Restore should work, but something will behave differently (a peer gone, a file changed in a harmless way). */
    WARNING,
    /** Worth knowing (glue the processes need, what a userspace image cannot carry). */
    INFO
}
