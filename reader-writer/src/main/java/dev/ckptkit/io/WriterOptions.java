package dev.ckptkit.io;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * How a {@link CkptWriter} writes.
 *
 * @param uuid          the image UUID written in the header; derive it from the input (see {@link #uuidFrom}) so
 *                      the same input gives the same bytes
 * @param writerName    who wrote the file (at most 32 bytes of UTF-8)
 * @param writerVersion its version (at most 32 bytes)
 * @param zstdLevel     0 stores sections uncompressed; otherwise the zstd level for page blocks and other sections
 * @param threads       worker threads for hashing and compressing pages (output does not depend on it)
 * @param dedup         hash every page (SHA-256) and store each content once; without it no page is hashed, every
 *                      non-zero page is stored, and the image has no page-hashes section (faster: hashing is most of
 *                      the writer's CPU; what a live checkpoint that pauses its process wants)
 * @param sync          force the file to disk before it is renamed into place, and write it back in the background
 *                      meanwhile (durable: the image survives a crash once the writer returns). Without it the
 *                      output is still atomic (a reader never sees part of it) but lives in the page cache until
 *                      the kernel writes it back, as {@code cp}'s, {@code tar}'s or {@code criu dump}'s does, and a
 *                      crash soon after may lose it
 */
public record WriterOptions(UUID uuid, String writerName, String writerVersion, int zstdLevel, int threads, boolean dedup,
                            boolean sync) {

    public WriterOptions {
        if (uuid == null) throw new IllegalArgumentException("uuid is required (deterministic output)");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        if (zstdLevel < 0 || zstdLevel > 22) throw new IllegalArgumentException("zstd level must be 0..22");
    }

    /** Durable. */
    public WriterOptions(UUID uuid, String writerName, String writerVersion, int zstdLevel, int threads, boolean dedup) {
        this(uuid, writerName, writerVersion, zstdLevel, threads, dedup, true);
    }

    /** With dedup, durable. */
    public WriterOptions(UUID uuid, String writerName, String writerVersion, int zstdLevel, int threads) {
        this(uuid, writerName, writerVersion, zstdLevel, threads, true);
    }

    public static WriterOptions defaults(UUID uuid) {
        return new WriterOptions(uuid, "ckptkit", Version.CURRENT, 0, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public WriterOptions withZstd(int level) {
        return new WriterOptions(uuid, writerName, writerVersion, level, threads, dedup, sync);
    }

    public WriterOptions withThreads(int n) {
        return new WriterOptions(uuid, writerName, writerVersion, zstdLevel, n, dedup, sync);
    }

    public WriterOptions withWriter(String name, String version) {
        return new WriterOptions(uuid, name, version, zstdLevel, threads, dedup, sync);
    }

    public WriterOptions withUuid(UUID id) {
        return new WriterOptions(id, writerName, writerVersion, zstdLevel, threads, dedup, sync);
    }

    public WriterOptions withDedup(boolean on) {
        return new WriterOptions(uuid, writerName, writerVersion, zstdLevel, threads, on, sync);
    }

    public WriterOptions withSync(boolean on) {
        return new WriterOptions(uuid, writerName, writerVersion, zstdLevel, threads, dedup, on);
    }

    /** A name-based UUID from bytes that identify the input (e.g. the source image's metadata). */
    public static UUID uuidFrom(byte[] identity) {
        return UUID.nameUUIDFromBytes(identity);
    }

    public static UUID uuidFrom(String identity) {
        return uuidFrom(identity.getBytes(StandardCharsets.UTF_8));
    }
}
