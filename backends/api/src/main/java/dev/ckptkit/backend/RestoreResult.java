package dev.ckptkit.backend;

import java.nio.file.Path;

/**
 * A finished restore.
 *
 * @param rootPid  pid of the restored tree's root, running detached
 * @param imageDir the exported image directory if it was kept, else null
 * @param log      the checkpointer's log if it was kept, else null
 */
public record RestoreResult(int rootPid, Path imageDir, Path log) {}
