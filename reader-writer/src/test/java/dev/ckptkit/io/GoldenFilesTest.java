package dev.ckptkit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.table.Tables;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files in format-spec/golden/ are kept forever: every later reader must read every one of them.
 * Names say how to rebuild their content: {@code v1.0-seedS-pagesP-zstdZ.ckpt}, {@code -nodedup} for a writer without
 * dedup (no page hashes; since 1.2). Regenerate (only when adding a
 * new format version) with {@code -Dgolden.write=true}.
 */
class GoldenFilesTest {
    private static final Pattern NAME = Pattern.compile("v(\\d+)\\.(\\d+)-seed(\\d+)-pages(\\d+)-zstd(\\d+)(-nodedup)?\\.ckpt");
    private static final List<String> CURRENT = List.of("seed11-pages12-zstd0", "seed12-pages12-zstd3", "seed13-pages12-zstd0-nodedup");

    @TempDir
    Path tmp;

    static Path goldenDir() {
        return Path.of(System.getProperty("ckpt.root", "..")).resolve("format-spec/golden");
    }

    static Stream<Path> goldens() throws IOException {
        try (Stream<Path> s = Files.list(goldenDir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ckpt")).sorted().toList().stream();
        }
    }

    @Test
    void writeGoldensWhenAsked() throws IOException {
        if (!Boolean.getBoolean("golden.write")) return;
        for (String c : CURRENT) {
            Matcher m = NAME.matcher("v" + CkptFormat.MAJOR + "." + CkptFormat.MINOR + "-" + c + ".ckpt");
            assertTrue(m.matches());
            write(m, goldenDir().resolve(m.group()));
        }
    }

    @Test
    void thereAreGoldensForTheCurrentVersion() throws IOException {
        for (String c : CURRENT) {
            assertTrue(Files.exists(goldenDir().resolve("v" + CkptFormat.MAJOR + "." + CkptFormat.MINOR + "-" + c + ".ckpt")), c);
        }
    }

    private static void write(Matcher m, Path out) throws IOException {
        var model = RandomImages.model(Long.parseLong(m.group(3)), Integer.parseInt(m.group(4)));
        RandomImages.write(model, out, new WriterOptions(java.util.UUID.nameUUIDFromBytes(out.getFileName().toString().getBytes()),
                "ckptkit-golden", m.group(1) + "." + m.group(2), Integer.parseInt(m.group(5)), 1, m.group(6) == null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void everyGoldenFileStillReads(Path golden) throws Exception {
        Matcher m = NAME.matcher(golden.getFileName().toString());
        assertTrue(m.matches(), "golden file names follow " + NAME);
        var model = RandomImages.model(Long.parseLong(m.group(3)), Integer.parseInt(m.group(4)));
        try (CkptReader r = CkptReader.open(golden)) {
            assertEquals(Integer.parseInt(m.group(1)), r.header().major());
            assertTrue(r.verify().ok(), () -> r.verify().problems().toString());
            assertEquals(model.processes(), r.table(Tables.PROCESSES));
            assertEquals(model.areas(), r.table(Tables.MEMORY_AREAS));
            assertEquals(model.files(), r.table(Tables.FILES));
            for (var e : model.natives().entrySet()) assertArrayEquals(e.getValue(), r.nativeRecord(e.getKey()));
            for (var e : model.attachments().entrySet()) assertArrayEquals(e.getValue(), r.readAttachment(e.getKey()));
            RoundTripTest.checkPages(model, r.pages());
        }
    }

    /** While a golden's version is the current one, today's writer must reproduce it to the byte. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void currentWriterReproducesCurrentGoldens(Path golden) throws Exception {
        Matcher m = NAME.matcher(golden.getFileName().toString());
        assertTrue(m.matches());
        boolean current = Integer.parseInt(m.group(1)) == CkptFormat.MAJOR && Integer.parseInt(m.group(2)) == CkptFormat.MINOR;
        if (!current) return;
        Path again = tmp.resolve(golden.getFileName());
        write(m, again);
        assertArrayEquals(Files.readAllBytes(golden), Files.readAllBytes(again),
                "the writer's bytes changed for format " + m.group(1) + "." + m.group(2) + ": bump the minor version and add goldens");
        assertFalse(Files.readAllBytes(golden).length == 0);
    }
}
