package dev.ckptkit.backend;

/** Progress of long work; the CLI draws it as a bar on a terminal. */
public interface Progress {
    Progress NONE = (what, done, total) -> {};

    /** {@code total} may be 0 when unknown. */
    void update(String what, long done, long total);
}
