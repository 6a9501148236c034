package dev.ckptkit.backend.userspace;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.backend.Progress;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.UnsupportedImageException;
import dev.ckptkit.io.WriterOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the userspace backend's two importers: the libckpt.so stream (PROTOCOL.md) and DMTCP v4 images, gzip or
 * plain. Whatever the bytes, the import succeeds or throws {@link CorruptImageException} /
 * {@link UnsupportedImageException} (or, for a stream holding the process's ERROR frame, an IOException saying so on
 * one line with the file and offset); any other exception, an OOM or a hang is a finding. Seeds
 * (src/test/resources/dev/ckptkit/backend/userspace/UserspaceFuzzTestInputs/METHOD): a real libckpt stream of the
 * counter workload (captured as StreamCorruptionTest does; page runs cut to two pages, environment reduced to four
 * variables) and DMTCP images as DmtcpImages writes them. To fuzz for real:
 * {@code JAZZER_FUZZ=1 ./test.sh -pl backends/userspace -am -Dtest=UserspaceFuzzTest#fuzzStream -Djazzer.max_duration=5m}
 * (README, "Fuzzing").
 */
class UserspaceFuzzTest {
    @TempDir
    static Path tmp;

    @FuzzTest(maxDuration = "30s")
    void fuzzStream(byte[] data) throws IOException {
        importExpectingCleanErrors(new UserspaceBackend(), data);
    }

    @FuzzTest(maxDuration = "30s")
    void fuzzDmtcp(byte[] data) throws IOException {
        importExpectingCleanErrors(new DmtcpBackend(), data);
    }

    private static void importExpectingCleanErrors(Backend b, byte[] data) throws IOException {
        Path in = tmp.resolve("fuzz.in"), out = tmp.resolve("fuzz.ckpt");
        Files.write(in, data);
        try {
            b.canImport(in); // the sniffing must not fail either; the import runs anyway, to reach the header checks
            b.importImage(in, new ImportContext(out, WriterOptions.defaults(WriterOptions.uuidFrom("fuzz")), null, Map.of(), Progress.NONE));
        } catch (CorruptImageException | UnsupportedImageException expected) {
            if (expected.getMessage().lines().count() != 1) throw new AssertionError("not one line: " + expected.getMessage(), expected);
        } catch (IOException e) {
            // the documented other one: a stream carrying the process's ERROR frame, said on one line with file and offset
            String m = e.getMessage();
            if (!m.startsWith(in + ": at offset ") || !m.contains("the process ") || m.lines().count() != 1) throw e;
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }
}
