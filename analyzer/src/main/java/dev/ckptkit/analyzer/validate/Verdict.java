package dev.ckptkit.analyzer.validate;

/** The answer of validate; exit codes 0, 1, 2. */
public enum Verdict {
    GO, NO_GO, UNDECIDED;

    static Verdict of(Iterable<Finding> findings) {
        boolean undecided = false;
        for (Finding f : findings) {
            if (f.severity() == Severity.ERROR) return NO_GO;
            if (f.severity() == Severity.UNDECIDED) undecided = true;
        }
        return undecided ? UNDECIDED : GO;
    }
}
