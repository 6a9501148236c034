package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ckpt diff, index and search on the real CRIU images of testdata/ (CRIU dirs, converted on the fly or first). */
class DiffSearchRealImagesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @BeforeAll
    static void unpack() throws Exception {
        for (String name : List.of("memfile", "tree", "tcp")) {
            InspectRealImagesTest.untar(CliRunner.root().resolve("testdata/criu/" + name + ".tar.gz"), dir);
        }
        CliRunner r = CliRunner.run("convert", dir.resolve("memfile").toString(), "-o", dir.resolve("memfile.ckpt").toString());
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void withoutDedupTheSameMemoryIsComparedByContent() throws Exception {
        Path plain = dir.resolve("memfile-nodedup.ckpt");
        CliRunner c = CliRunner.run("convert", "--no-dedup", dir.resolve("memfile").toString(), "-o", plain.toString());
        assertEquals(0, c.exit(), c.err());
        CliRunner info = CliRunner.run("info", plain.toString());
        assertTrue(info.out().contains("ro_compat:   -"), info.out());
        assertFalse(info.out().contains("page-hashes"), info.out());
        CliRunner d = CliRunner.run("diff", dir.resolve("memfile.ckpt").toString(), plain.toString());
        assertEquals(0, d.exit(), d.out() + d.err());
        assertTrue(d.out().contains("same: "), d.out());
        assertTrue(d.out().contains("0 changed"), d.out());
        assertFalse(d.out().contains("compared by hashes"), "no hashes to compare: " + d.out());
        CliRunner g = CliRunner.run("grep", "CKPT-MARKER-1", plain.toString());
        assertEquals(0, g.exit(), g.err());
        assertTrue(g.out().contains("CKPT-MARKER-1"), g.out());
    }

    @Test
    void withoutSyncTheImageHasTheSameBytes() throws Exception {
        Path unsynced = dir.resolve("memfile-nosync.ckpt");
        CliRunner c = CliRunner.run("convert", "--no-sync", dir.resolve("memfile").toString(), "-o", unsynced.toString());
        assertEquals(0, c.exit(), c.err());
        assertEquals(-1, Files.mismatch(dir.resolve("memfile.ckpt"), unsynced), "durability changes when, not what, is written");
    }

    @Test
    void anImageAndItsConversionAreTheSame() throws Exception {
        CliRunner r = CliRunner.run("diff", dir.resolve("memfile").toString(), dir.resolve("memfile.ckpt").toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("same: "), r.out());
        assertTrue(r.out().contains("1124 compared by hashes, 0 changed"), r.out());
    }

    @Test
    void differentWorkloadsDiffer() throws Exception {
        CliRunner r = CliRunner.run("diff", "--json", dir.resolve("memfile.ckpt").toString(), dir.resolve("tree").toString());
        assertEquals(1, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(1, j.at("/summary/processesRemoved").asInt());
        assertEquals(3, j.at("/summary/processesAdded").asInt());
        List<String> subjects = new ArrayList<>();
        j.get("changes").forEach(c -> subjects.add(c.get("kind").asText() + " " + c.get("subject").asText()));
        assertEquals(List.of("REMOVED pid 20439 (memfile)", "ADDED pid 26584 (bash)", "ADDED pid 26588 (pipepair)",
                "ADDED pid 26589 (pipepair)"), subjects);
    }

    @Test
    void troubleIsExitTwoWithOneLine() throws Exception {
        CliRunner r = CliRunner.run("diff", dir.resolve("memfile.ckpt").toString(), dir.resolve("nonexistent").toString());
        assertEquals(2, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        Path bad = dir.resolve("bad.ckpt");
        byte[] b = Files.readAllBytes(dir.resolve("memfile.ckpt"));
        Files.write(bad, java.util.Arrays.copyOf(b, b.length / 2));
        r = CliRunner.run("diff", dir.resolve("memfile.ckpt").toString(), bad.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("ckpt: " + bad), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void indexAndSearchTheRealImages() throws Exception {
        Path idx = dir.resolve("idx");
        String mem = dir.resolve("memfile").toString(), tree = dir.resolve("tree").toString(), tcp = dir.resolve("tcp").toString();
        CliRunner r = CliRunner.run("index", "-i", idx.toString(), mem, tree, tcp);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("3 added, 0 updated, 0 unchanged"), r.out());
        r = CliRunner.run("index", "-i", idx.toString(), mem, tree, tcp);
        assertTrue(r.out().contains("0 added, 0 updated, 3 unchanged"), r.out());

        // the workload's marker string (memfile.txt: "CKPT-MARKER-1" in the heap buffer and in .bss)
        r = CliRunner.run("search", "-i", idx.toString(), "--json", "string:\"CKPT-MARKER-1\"");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(1, j.get("totalHits").asInt());
        JsonNode hit = j.get("hits").get(0);
        assertEquals(mem, hit.get("image").asText());
        assertEquals(20439, hit.get("pid").asInt());
        assertEquals("string", hit.at("/matches/0/field").asText());
        boolean found = false;
        for (JsonNode v : hit.at("/matches/0/values")) found |= v.asText().contains("CKPT-MARKER-1");
        assertTrue(found, hit.toString());

        r = CliRunner.run("search", "-i", idx.toString(), "comm:memfile AND env:CKPT*");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("env: CKPT_TEST=1"), r.out());
        r = CliRunner.run("search", "-i", idx.toString(), "file:/tmp/ckpt-work/a/data.txt");
        assertTrue(r.out().contains("pid 20439 (memfile)"), r.out());
        r = CliRunner.run("search", "-i", idx.toString(), "socket:\"127.0.0.1:47001\"");
        assertTrue(r.out().contains(tcp + "  pid 28715 (tcplisten)"), r.out());
        r = CliRunner.run("search", "-i", idx.toString(), "comm:pipepair");
        assertEquals(2, r.out().lines().filter(l -> l.contains("(pipepair)")).count(), r.out());
        r = CliRunner.run("search", "-i", idx.toString(), "comm:nginx");
        assertEquals(1, r.exit());
        assertTrue(r.out().startsWith("0 hits"), r.out());
        r = CliRunner.run("search", "-i", idx.toString(), "pid:(");
        assertEquals(2, r.exit());
        assertFalse(r.err().isEmpty());
    }

    @Test
    void samePageFindsEveryImageHoldingThePage() throws Exception {
        Path a = dir.resolve("synth-a.ckpt"), b = dir.resolve("synth-b.ckpt"), idx = dir.resolve("idx-pages");
        var facts = dev.ckptkit.analyzer.inspect.SyntheticImage.write(a, 1 << 20, 0);
        Files.copy(a, b);
        assertEquals(0, CliRunner.run("index", "-i", idx.toString(), a.toString(), b.toString()).exit());
        String reader = Integer.toString(dev.ckptkit.analyzer.inspect.SyntheticImage.READER);
        CliRunner r = CliRunner.run("search", "-i", idx.toString(), "--json", "--same-page", a.toString(), reader,
                "0x" + Long.toHexString(facts.sharedPage() + 10));
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(4, j.get("totalHits").asInt(), "worker and reader of both images: " + r.out());
        assertTrue(j.get("query").asText().startsWith("page:"), r.out());
        r = CliRunner.run("search", "-i", idx.toString(), "--same-page", a.toString(), reader,
                "0x" + Long.toHexString(facts.sharedPage()), "comm:worker");
        assertEquals(2, r.out().lines().filter(l -> l.contains("(worker)")).count(), r.out());
        r = CliRunner.run("search", "-i", idx.toString(), "--same-page", a.toString(), reader, "0x10");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no dumped page"), r.err());
    }

    /**
     * The same memfile process taken by gcore (testdata/elfcore, counter = 3) and ~1 s later by CRIU (counter = 4):
     * across formats, exactly one page differs, by the one counter byte at its address.
     */
    @Test
    void gcoreAndCriuOfOneProcessDifferByTheCounter() throws Exception {
        Path core = dir.resolve("memfile.core");
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(CliRunner.root().resolve("testdata/elfcore/memfile.core.gz")))) {
            Files.copy(in, core);
        }
        CliRunner r = CliRunner.run("diff", "--json", "--bytes", core.toString(), dir.resolve("memfile.ckpt").toString());
        assertEquals(1, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(1, j.at("/summary/pagesChanged").asInt(), j.get("summary").toString());
        assertEquals(1, j.at("/summary/bytesChanged").asInt());
        JsonNode b = j.get("byteRanges").get(0);
        assertEquals("0x562440ac40e0", b.get("address").asText());  // memfile.txt: counter at 0x562440ac40e0
        assertTrue(b.get("before").get(1).asText().startsWith("562440ac40e0  03 00"), b.toString());
        assertTrue(b.get("after").get(1).asText().startsWith("562440ac40e0  04 00"), b.toString());
        assertTrue(j.at("/summary/pagesCompared").asInt() > 1024, "the 4 MiB buffer is in both and compared equal");
    }
}
