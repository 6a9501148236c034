package dev.ckptkit.backend.criu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.io.CkptReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** CRIU dir -> CKPT -> CRIU dir gives the same files, byte for byte, for every real test image. */
class CriuRoundTripTest {
    @TempDir
    Path tmp;

    static List<String> images() {
        return java.util.stream.Stream.concat(TestImages.CRIU.stream(), java.util.stream.Stream.of("shelljob")).toList();
    }

    private Path roundTrip(Path dir) throws Exception {
        Backend b = Backends.load().named("criu");
        assertTrue(b.canImport(dir));
        Path ckpt = tmp.resolve("x.ckpt");
        b.importImage(dir, TestImages.context(ckpt));
        Path out = tmp.resolve("out");
        try (CkptReader r = CkptReader.open(ckpt)) {
            assertTrue(r.verify().ok(), () -> r.verify().problems().toString());
            b.exportImage(r, out, ExportOptions.none());
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void everyFileComesBackByteForByte(String name) throws Exception {
        Path dir = TestImages.criuDir(name, tmp.resolve("in"));
        TestImages.assertSameFiles(dir, roundTrip(dir));
        assertTrue(TestImages.files(dir).keySet().stream().anyMatch(f -> f.startsWith("pages-")), "the image has page files");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void pagesGoToThePageStoreNotNativeRecords(String name) throws Exception {
        Path dir = TestImages.criuDir(name, tmp.resolve("in"));
        Path ckpt = tmp.resolve("x.ckpt");
        Backends.load().named("criu").importImage(dir, TestImages.context(ckpt));
        long pageBytes = 0;
        try (CkptReader r = CkptReader.open(ckpt)) {
            for (String f : TestImages.files(dir).keySet()) {
                if (f.startsWith("pages-")) {
                    pageBytes += Files.size(dir.resolve(f));
                    assertEquals(null, r.nativeRecord("criu/" + f), f);
                } else {
                    assertArrayEquals(Files.readAllBytes(dir.resolve(f)), r.nativeRecord("criu/" + f), f);
                }
            }
            long present = 0;
            var store = r.pages();
            for (long i = 0; i < store.size(); i++) if (!store.entry(i).absent()) present++;
            assertEquals(pageBytes / 4096, present);
        }
    }

    @Test
    void sameInputGivesTheSameBytes() throws Exception {
        Path dir = TestImages.criuDir("tree", tmp.resolve("in"));
        Backend b = Backends.load().named("criu");
        b.importImage(dir, TestImages.context(tmp.resolve("a.ckpt")));
        b.importImage(dir, TestImages.context(tmp.resolve("b.ckpt")));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a.ckpt")), Files.readAllBytes(tmp.resolve("b.ckpt")));
    }

    /** The real crit decodes every exported image to exactly the JSON it gave for the original dump. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void critDecodesExportedImagesLikeTheOriginals(String name) throws Exception {
        Path crit = TestImages.crit();
        Assumptions.assumeTrue(crit != null, "no crit at .tools/criu/bin/crit (run ../shared/tools/criu-setup.sh)");
        Path dir = TestImages.criuDir(name, tmp.resolve("in"));
        Path json = TestImages.critJson(name, tmp.resolve("json"));
        Path out = roundTrip(dir);
        int compared = 0;
        for (String f : TestImages.files(out).keySet()) {
            if (f.startsWith("pages-") || !f.endsWith(".img")) continue;
            Path expected = json.resolve(f.replace(".img", ".json"));
            if (!Files.exists(expected)) continue;
            String decoded = TestImages.run(List.of(crit.toString(), "decode", "--pretty", "-i", out.resolve(f).toString()));
            assertEquals(Files.readString(expected).strip(), decoded.strip(), f);
            compared++;
        }
        assertTrue(compared >= 10, "compared " + compared + " images");
    }
}
