package dev.ckptkit.cli;

import static dev.ckptkit.cli.CliRunner.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental images offline, from the real memfile dump: it is the parent (base.ckpt), and a later full dump of the
 * same process is made from it by changing three pages; {@code ckpt convert DIR --parent base.ckpt} stores that one
 * incrementally (next.ckpt). Restore's parent checks, flattening and the memory commands are looked at here; the
 * live restore of a chain is in {@link CriuIncrementalLiveTest}.
 */
class IncrementalImagesTest {
    private static final long[] CHANGED = {0, 200 * 4096L, 1000 * 4096L};

    @TempDir
    Path tmp;
    private Path base, next, fullCkpt, fullDir;

    @BeforeEach
    void images() throws Exception {
        Path p = tmp.resolve("p");
        InspectRealImagesTest.untar(CliRunner.root().resolve("testdata/criu/memfile.tar.gz"), p);
        fullDir = tmp.resolve("f/memfile");
        InspectRealImagesTest.untar(CliRunner.root().resolve("testdata/criu/memfile.tar.gz"), tmp.resolve("f"));
        byte[] pages = Files.readAllBytes(fullDir.resolve("pages-1.img"));
        for (long at : CHANGED) for (int i = 0; i < 8; i++) pages[(int) at + 2000 + i] ^= (byte) 0x33;
        Files.write(fullDir.resolve("pages-1.img"), pages);
        // a later dump differs in more than its pages (timings in stats-dump, registers); here: criu's log left beside
        // the images. Without it the two dumps would have the same UUID, which import derives from the non-page files.
        Files.writeString(fullDir.resolve("dump.log"), "(00.000001) the later dump\n");
        base = tmp.resolve("base.ckpt");
        next = tmp.resolve("next.ckpt");
        fullCkpt = tmp.resolve("full.ckpt");
        ok("convert", p.resolve("memfile").toString(), "-o", base.toString());
        ok("convert", fullDir.toString(), "-o", fullCkpt.toString());
        CliRunner r = ok("convert", fullDir.toString(), "--parent", base.toString(), "-o", next.toString());
        assertTrue(r.out().contains("1121 of 1124 pages in parent " + base), r.out());
    }


    @Test
    void theImageNamesItsParentAndKeepsWhatTheTablesReadFromIt() throws Exception {
        try (CkptReader n = CkptReader.open(next); CkptReader b = CkptReader.open(base); CkptReader f = CkptReader.open(fullCkpt)) {
            assertEquals(b.header().uuid().toString(), n.manifest().parent().uuid());
            assertEquals("base.ckpt", n.manifest().parent().path());
            assertEquals(1121, n.manifest().counts().absentPages());
            assertEquals(f.table(Tables.PROCESSES), n.table(Tables.PROCESSES), "argv and environ read from the parent");
        }
        assertTrue(Files.size(next) < Files.size(fullCkpt), "smaller than the full image");
    }

    @Test
    void restoreNeedsTheParentAndSaysSoInOneLine() throws Exception {
        Path moved = Files.createDirectories(tmp.resolve("moved")).resolve("next.ckpt");
        Files.copy(next, moved);
        CliRunner r = CliRunner.run("restore", moved.toString());
        assertEquals(ExitCodes.TROUBLE, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("has 1121 pages in its parent image ") && r.err().contains("(was at base.ckpt); give the parent with --parent FILE"), r.err());

        CliRunner wrong = CliRunner.run("restore", moved.toString(), "--parent", fullCkpt.toString());
        assertEquals(ExitCodes.TROUBLE, wrong.exit());
        assertTrue(wrong.err().contains("--parent " + fullCkpt + " is image "), wrong.err());

        CliRunner plan = CliRunner.run("restore", "--dry-run", moved.toString());
        assertTrue(plan.out().contains("parent chain (1):") && plan.out().contains("-> MISSING"), plan.out());
        assertTrue(plan.out().contains("problem: " + moved + " has 1121 pages in its parent image"), plan.out());
        CliRunner given = CliRunner.run("restore", "--dry-run", moved.toString(), "--parent", base.toString());
        assertTrue(given.out().contains("(path hint base.ckpt) -> found at " + base), given.out());
        CliRunner hinted = CliRunner.run("restore", "--dry-run", next.toString());
        assertTrue(hinted.out().contains("-> found at " + base.toAbsolutePath().normalize()), "the path hint finds base.ckpt beside it: " + hinted.out());
    }

    @Test
    void flattenedImageHasEveryPageOfTheFullDump() throws Exception {
        Path flat = tmp.resolve("flat.ckpt");
        CliRunner r = ok("convert", next.toString(), "--flatten", "-o", flat.toString());
        assertTrue(r.out().contains("1121 pages filled in from 1 parent image"), r.out());
        CliRunner d = CliRunner.run("diff", fullCkpt.toString(), flat.toString());
        assertTrue(d.out().contains("pages: 1124 compared by hashes, 0 changed"), d.out());
        try (CkptReader f = CkptReader.open(flat)) {
            assertEquals(0, f.manifest().counts().absentPages());
            assertEquals(null, f.manifest().parent());
        }
        assertEquals(0, CliRunner.run("validate", flat.toString()).out().lines().filter(l -> l.contains("INCREMENTAL_")).count());
        CliRunner v = CliRunner.run("validate", next.toString());
        assertEquals(ExitCodes.NEGATIVE, v.exit());
        assertTrue(v.out().contains("INCREMENTAL_PARENT_NEEDED"), v.out());

        // the same as CRIU image dirs: export both, link them as criu does, flatten the dir
        Files.createDirectories(tmp.resolve("d"));
        ok("convert", base.toString(), "--to", "criu", "-o", tmp.resolve("d/base").toString());
        ok("convert", next.toString(), "--to", "criu", "-o", tmp.resolve("d/next").toString());
        assertEquals("../base", Files.readSymbolicLink(tmp.resolve("d/next/parent")).toString());
        Path flatDir = tmp.resolve("flat-dir.ckpt");
        ok("convert", tmp.resolve("d/next").toString(), "--flatten", "-o", flatDir.toString());
        assertTrue(CliRunner.run("diff", fullCkpt.toString(), flatDir.toString()).out().contains("pages: 1124 compared by hashes, 0 changed"));
        CliRunner notIncremental = CliRunner.run("convert", fullCkpt.toString(), "--flatten", "-o", tmp.resolve("x.ckpt").toString());
        assertEquals(ExitCodes.TROUBLE, notIncremental.exit());
        assertTrue(notIncremental.err().contains("does not need a parent image: nothing to flatten"), notIncremental.err());
    }

    @Test
    void diffAgainstItsOwnParentComparesEveryPage() {
        String withParent = CliRunner.run("diff", base.toString(), next.toString()).out();
        String full = CliRunner.run("diff", base.toString(), fullCkpt.toString()).out();
        assertTrue(full.contains("pages: 1124 compared by hashes, 3 changed"), full);
        assertTrue(withParent.contains("pages: 1124 compared by hashes, 3 changed"), "pages in the parent are the parent's: " + withParent);
        assertFalse(withParent.contains("not comparable"), withParent);
        String other = CliRunner.run("diff", fullCkpt.toString(), next.toString()).out();
        assertTrue(other.contains("1121 not comparable (in a parent image"), other);
    }

    @Test
    void memoryCommandsSayWhichPagesAreInTheParent() throws Exception {
        CliRunner g = CliRunner.run("grep", "CKPT-MARKER-1", next.toString());
        assertTrue(g.err().contains("ckpt: note: 1121 pages (pid 20439: 1121) are in parent image "), g.err());
        assertTrue(g.err().contains("not searched"), g.err());
        CliRunner all = CliRunner.run("grep", "--count", "CKPT-MARKER-1", tmp.resolve("f/memfile").toString());
        CliRunner some = CliRunner.run("grep", "--count", "CKPT-MARKER-1", next.toString());
        assertTrue(Long.parseLong(some.out().strip()) < Long.parseLong(all.out().strip()), some.out() + " vs " + all.out());

        Path heap = tmp.resolve("heap.bin");
        CliRunner x = ok("extract", next.toString(), "--pid", "20439", "--area", "0x7f188ef80010", "-o", heap.toString());
        Matcher m = Pattern.compile("\\((\\d+) from the image, (\\d+) zero-filled, of which (\\d+) are in the parent image").matcher(x.out());
        assertTrue(m.find(), x.out());
        assertEquals(m.group(2), m.group(3), "every byte missing from the heap area is in the parent");

        CliRunner h = ok("hexdump", next.toString(), "--pid", "20439", "--addr", "0x7f188ef81000", "--len", "64");
        assertTrue(h.out().contains("?? ??"), h.out());
        assertTrue(h.err().contains("64 of the bytes shown as ?? are in the parent image"), h.err());
        CliRunner maps = ok("maps", next.toString());
        assertTrue(maps.out().contains("pages in parent image)"), maps.out());
    }
}
