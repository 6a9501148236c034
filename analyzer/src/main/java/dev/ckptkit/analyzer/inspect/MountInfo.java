package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.table.MountRow;

/** A mount with its depth in the mount tree (0 for mounts whose parent is not in the image). */
public record MountInfo(MountRow mount, int depth) {}
