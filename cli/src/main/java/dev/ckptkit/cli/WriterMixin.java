package dev.ckptkit.cli;

import dev.ckptkit.io.WriterOptions;
import picocli.CommandLine.Option;

/** How the commands that write a CKPT file write it: compression, threads, dedup. */
final class WriterMixin {
    @Option(names = "--zstd", paramLabel = "LEVEL", defaultValue = "0", description = "Compress sections with zstd at this level (0 = none, default).")
    int zstd;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads for hashing and compression (default: all cores).")
    Integer threads;

    @Option(names = "--dedup", negatable = true, description = "Hash every page (SHA-256) and store each content once "
            + "(default: on, except for a live 'checkpoint', whose process waits while pages are written).")
    Boolean dedup;

    WriterOptions apply(WriterOptions base, boolean dedupByDefault) {
        WriterOptions o = base.withZstd(zstd).withDedup(dedup != null ? dedup : dedupByDefault);
        return threads != null ? o.withThreads(threads) : o;
    }
}
