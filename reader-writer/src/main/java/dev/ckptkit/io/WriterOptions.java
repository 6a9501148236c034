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
 */
public record WriterOptions(UUID uuid, String writerName, String writerVersion, int zstdLevel, int threads) {

    public WriterOptions {
        if (uuid == null) throw new IllegalArgumentException("uuid is required (deterministic output)");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        if (zstdLevel < 0 || zstdLevel > 22) throw new IllegalArgumentException("zstd level must be 0..22");
    }

    public static WriterOptions defaults(UUID uuid) {
        return new WriterOptions(uuid, "ckptkit", Version.CURRENT, 0, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public WriterOptions withZstd(int level) {
        return new WriterOptions(uuid, writerName, writerVersion, level, threads);
    }

    public WriterOptions withThreads(int n) {
        return new WriterOptions(uuid, writerName, writerVersion, zstdLevel, n);
    }

    public WriterOptions withWriter(String name, String version) {
        return new WriterOptions(uuid, name, version, zstdLevel, threads);
    }

    /** A name-based UUID from bytes that identify the input (e.g. the source image's metadata). */
    public static UUID uuidFrom(byte[] identity) {
        return UUID.nameUUIDFromBytes(identity);
    }

    public static UUID uuidFrom(String identity) {
        return uuidFrom(identity.getBytes(StandardCharsets.UTF_8));
    }
}
