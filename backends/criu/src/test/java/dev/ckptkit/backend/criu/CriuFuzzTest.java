package dev.ckptkit.backend.criu;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.Backends;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the CRIU backend's parsers through a whole import: whatever the bytes, the import either succeeds or throws
 * {@link CorruptImageException} / {@link UnsupportedImageException}; any other exception, an OOM or a hang is a
 * finding. Seeds (src/test/resources/dev/ckptkit/backend/criu/CriuFuzzTestInputs/METHOD) are real CRIU image files
 * and real Podman archives. To fuzz for real:
 * {@code JAZZER_FUZZ=1 ./test.sh -pl backends/criu -am -Dtest=CriuFuzzTest#fuzzImageFile -Djazzer.max_duration=5m}
 * (README, "Fuzzing").
 */
class CriuFuzzTest {
    @TempDir
    static Path tmp;
    /** The real tcp image set, one file of which each input replaces. */
    static Path template;
    /** Image kind -> the file of that kind in the template (kinds the template lacks get CRIU's usual name). */
    static final Map<ImageKind, String> FILE_OF_KIND = new HashMap<>();

    @BeforeAll
    static void unpackTemplate() throws IOException {
        template = TestImages.criuDir("tcp", tmp.resolve("template"));
        try (Stream<Path> s = Files.list(template)) {
            for (Path p : s.toList()) {
                ImageKind k = kindOf(Files.readAllBytes(p));
                if (k != null) FILE_OF_KIND.put(k, p.getFileName().toString());
            }
        }
    }

    /**
     * One CRIU image file, routed by its magic to the file of that kind in a copy of a real image set (so a core
     * image replaces core-PID.img, a pagemap pagemap-PID.img; bytes without a CRIU magic replace pages-1.img), then
     * the whole set is imported: framing, protobuf payloads, pagemap/pages matching, the model and every table.
     */
    @FuzzTest(maxDuration = "30s")
    void fuzzImageFile(byte[] data) throws IOException {
        ImageKind kind = kindOf(data);
        String name = kind == null ? "pages-1.img" : FILE_OF_KIND.getOrDefault(kind, defaultName(kind));
        Path target = template.resolve(name);
        byte[] original = Files.exists(target) ? Files.readAllBytes(target) : null;
        Files.write(target, data);
        try {
            importExpectingCleanErrors(template);
        } finally {
            if (original != null) Files.write(target, original);
            else Files.delete(target);
        }
    }

    /**
     * A container checkpoint archive (tar, tar.gz or tar.zst; seeds: real Podman archives): it imports or fails with
     * a clean error, and hostile entries (path traversal, links, huge sizes) never write outside its temp dir.
     */
    @FuzzTest(maxDuration = "30s")
    void fuzzArchive(byte[] data) throws IOException {
        Path archive = tmp.resolve("fuzz.tar");
        Files.write(archive, data);
        try {
            Backend criu = Backends.load().named("criu");
            if (!criu.canImport(archive)) return;
            importExpectingCleanErrors(archive);
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    private static void importExpectingCleanErrors(Path input) throws IOException {
        Path out = tmp.resolve("fuzz.ckpt");
        try {
            Backends.load().named("criu").importImage(input, TestImages.context(out));
        } catch (CorruptImageException | UnsupportedImageException expected) {
            if (expected.getMessage().lines().count() != 1) throw new AssertionError("not one line: " + expected.getMessage(), expected);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The image kind named by the file's magic(s), as ImageParser reads them; null for raw data. */
    static ImageKind kindOf(byte[] data) {
        if (data.length < 4) return null;
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int m0 = b.getInt(0);
        if (m0 == ImageKind.INVENTORY.magic()) return ImageKind.INVENTORY;
        if ((m0 != ImageKind.IMG_COMMON && m0 != ImageKind.IMG_SERVICE) || data.length < 8) return null;
        return ImageKind.byMagic(b.getInt(4));
    }

    private static String defaultName(ImageKind k) {
        return switch (k) {
            case MNTS -> "mountpoints-1.img";
            case GHOST_FILE -> "ghost-file-1.img";
            case TCP_STREAM -> "tcp-stream-1.img";
            case IPCNS_SHM, IPCNS_MSG, IPCNS_SEM -> k.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-1.img";
            default -> k.name().toLowerCase(Locale.ROOT).replace('_', '-') + ".img";
        };
    }
}
