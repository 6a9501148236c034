package dev.ckptkit.cli;

import dev.ckptkit.io.WriterOptions;
import picocli.CommandLine.Option;

/** How the commands that write a CKPT file write it: compression, threads, dedup, durability. */
final class WriterMixin {
    @Option(names = "--zstd", paramLabel = "LEVEL", defaultValue = "0", description = "Compress sections with zstd at this level (0 = none, default).")
    int zstd;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads for hashing and compression (default: all cores).")
    Integer threads;

    @Option(names = "--dedup", negatable = true, description = "Hash every page (SHA-256) and store each content once "
            + "(default: on, except for a live 'checkpoint', whose process waits while pages are written).")
    Boolean dedup;

    @Option(names = "--sync", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Force the image to disk before it is renamed into place (default: on). With --no-sync it is "
                    + "still written atomically but left to the kernel's write-back, as cp or criu dump leave theirs: "
                    + "faster, and a crash soon after may lose it.")
    boolean sync;

    WriterOptions apply(WriterOptions base, boolean dedupByDefault) {
        WriterOptions o = base.withZstd(zstd).withDedup(dedup != null ? dedup : dedupByDefault).withSync(sync);
        return threads != null ? o.withThreads(threads) : o;
    }
}
