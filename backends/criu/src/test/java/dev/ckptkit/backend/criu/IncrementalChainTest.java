package dev.ckptkit.backend.criu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental images from real CRIU dumps: the memfile dump is the parent, and a second dump of the same process is
 * made from it by changing three pages (the counter page, a heap page and the marker page), as a later dump of the
 * running workload would differ. This kernel cannot run criu's own incremental dumps (no soft-dirty tracking), so
 * the child is made incremental by content ({@link IncrementalDump}); flattening must give back the full dump.
 */
class IncrementalChainTest {
    private static final int PID = 20439;
    /** pages-1.img offsets of the pages changed in the "later" dump: first page, a heap page, a late page */
    private static final long[] CHANGED = {0, 200 * 4096L, 1000 * 4096L};

    @TempDir
    Path tmp;
    private Path parentDir, fullChild, parentCkpt;

    @BeforeEach
    void images() throws Exception {
        parentDir = TestImages.criuDir("memfile", tmp.resolve("p"));
        fullChild = TestImages.criuDir("memfile", tmp.resolve("full"));
        byte[] pages = Files.readAllBytes(fullChild.resolve("pages-1.img"));
        for (long at : CHANGED) for (int i = 0; i < 16; i++) pages[(int) at + 100 + i] ^= (byte) (0x5a + i);
        Files.write(fullChild.resolve("pages-1.img"), pages);
        parentCkpt = tmp.resolve("base.ckpt");
        Backends.load().named("criu").importImage(parentDir, TestImages.context(parentCkpt));
    }

    /** A copy of the full child dump made incremental against base.ckpt, at {@code dir}. */
    private IncrementalDump.Result incremental(Path dir, String link) throws Exception {
        copyTree(fullChild, dir);
        try (CkptReader parent = CkptReader.open(parentCkpt)) {
            return IncrementalDump.againstParent(dir, parent, link);
        }
    }

    /** chain/1 the parent dump, chain/2 the child made incremental against it (linked ../1); returns chain/2. */
    private Path chainOfTwo() throws Exception {
        copyTree(parentDir, tmp.resolve("chain/1"));
        Path child = tmp.resolve("chain/2");
        incremental(child, "../1");
        return child;
    }

    @Test
    void unchangedPagesGoToTheParentAndTheDirStillRoundTrips() throws Exception {
        Path dir = tmp.resolve("chain/2");
        IncrementalDump.Result r = incremental(dir, "../1");
        long total = Pagemap.decode(ImageParser.parse("pm", ByteBuffer.wrap(Files.readAllBytes(fullChild.resolve("pagemap-20439.img"))))).pageCount();
        assertEquals(total, r.pages());
        assertEquals(total - CHANGED.length, r.inParent(), "every page but the three changed ones is in the parent");
        assertEquals(CHANGED.length * 4096L, Files.size(dir.resolve("pages-1.img")));
        assertEquals("../1", Files.readSymbolicLink(dir.resolve("parent")).toString());

        Path ckpt = tmp.resolve("inc.ckpt");
        var b = (CriuBackend) Backends.load().named("criu");
        try (CkptReader parent = CkptReader.open(parentCkpt)) {
            b.importImage(dir, TestImages.context(ckpt), null, new Manifest.Parent("u-1", "base.ckpt"), PageReader.InParent.of(parent));
        }
        try (CkptReader inc = CkptReader.open(ckpt); CkptReader full = openFull()) {
            // argv and environ are in pages that stayed in the parent: read from there
            assertEquals(full.table(Tables.PROCESSES), inc.table(Tables.PROCESSES));
            assertEquals(List.of("/tmp/ckpt-work/bin/memfile", "1", "/tmp/ckpt-work/a"), inc.table(Tables.PROCESSES).getFirst().cmdline());
            assertEquals(r.inParent(), inc.manifest().counts().absentPages());
            assertEquals(new Manifest.Parent("u-1", "base.ckpt"), inc.manifest().parent());
            PageStore ps = inc.pages(), fs = full.pages();
            assertEquals(fs.size(), ps.size(), "the same pages, some absent");
            int data = 0;
            for (long i = 0; i < ps.size(); i++) {
                if (ps.pageAt(i) == CkptFormat.PAGE_ABSENT) continue;
                data++;
                assertTrue(ps.page(ps.pageAt(i)).mismatch(fs.page(fs.pageAt(fs.find(PID, ps.vaddrAt(i))))) == -1);
            }
            assertEquals(CHANGED.length, data);
            Path out = tmp.resolve("exported");
            b.exportImage(inc, out, ExportOptions.none());
            TestImages.assertSameFiles(dir, out);
            assertEquals("../1", Files.readSymbolicLink(out.resolve("parent")).toString());
        }
    }

    @Test
    void flatteningADirectoryChainGivesTheFullDumpBack() throws Exception {
        Path child = chainOfTwo();
        assertTrue(CriuFlattener.isIncremental(child));
        Path flat = tmp.resolve("flat");
        CriuFlattener.Result r = CriuFlattener.flatten(child, flat);
        assertEquals(1, r.depth());
        assertFalse(Files.exists(flat.resolve("parent"), java.nio.file.LinkOption.NOFOLLOW_LINKS), "no parent link");
        assertFalse(CriuFlattener.isIncremental(flat));
        assertSameExceptPagemap(fullChild, flat);
    }

    @Test
    void flatteningCkptImagesWithTheirParentGivesTheFullMemory() throws Exception {
        Path dir = tmp.resolve("c/2");
        incremental(dir, "../whatever");
        Path ckpt = tmp.resolve("inc.ckpt");
        ((CriuBackend) Backends.load().named("criu")).importImage(dir, TestImages.context(ckpt), null, new Manifest.Parent("u", "base.ckpt"), null);
        Path flat = tmp.resolve("flat");
        try (CkptReader inc = CkptReader.open(ckpt); CkptReader parent = CkptReader.open(parentCkpt)) {
            CriuChain.flatten(inc, List.of(parent), flat);
        }
        assertSameExceptPagemap(fullChild, flat);
        Path flatCkpt = tmp.resolve("flat.ckpt");
        Backends.load().named("criu").importImage(flat, TestImages.context(flatCkpt));
        try (CkptReader f = CkptReader.open(flatCkpt); CkptReader full = openFull()) {
            assertEquals(0, f.manifest().counts().absentPages());
            assertNull(f.manifest().parent());
            assertEquals(full.manifest().counts().pages(), f.manifest().counts().pages());
            PageStore a = f.pages(), b = full.pages();
            for (long i = 0; i < a.size(); i++) {
                assertEquals(b.vaddrAt(i), a.vaddrAt(i));
                assertTrue(a.pageAt(i) == b.pageAt(i) || a.sameHash(a.pageAt(i), b, b.pageAt(i)), "page 0x" + Long.toHexString(a.vaddrAt(i)));
            }
        }
    }

    /** A grandparent chain: the parent is itself incremental; pages are followed two levels down. */
    @Test
    void flatteningFollowsTheChainTwoLevelsDown() throws Exception {
        Path middle = chainOfTwo();
        Path middleCkpt = tmp.resolve("middle.ckpt");
        Backends.load().named("criu").importImage(middle, TestImages.context(middleCkpt));
        Path top = tmp.resolve("chain/3");
        copyTree(fullChild, top);
        try (CkptReader m = CkptReader.open(middleCkpt)) {
            // the middle image holds only the three changed pages: exactly those go to the parent, the rest stay
            assertEquals(CHANGED.length, IncrementalDump.againstParent(top, m, "../2").inParent());
        }
        // now make the top one point at the middle for everything: a pagemap whose runs are all PE_PARENT
        Path pm = top.resolve("pagemap-20439.img");
        PagemapCodec.Parts parts = PagemapCodec.parse(ImageParser.parse("pm", ByteBuffer.wrap(Files.readAllBytes(pm))));
        List<dev.ckptkit.backend.criu.proto.PagemapEntry> all = parts.entries().stream()
                .map(e -> PagemapCodec.run(e, e.getVaddr(), PagemapCodec.nrPages(e), Pagemap.PE_PARENT)).toList();
        Files.write(pm, PagemapCodec.encode(new PagemapCodec.Parts(parts.prefix(), all)));
        Files.write(top.resolve("pages-1.img"), new byte[0]);
        CriuFlattener.Result r = CriuFlattener.flatten(top, tmp.resolve("flat"));
        assertEquals(2, r.depth(), "pages that the middle image has in its parent came from the bottom one");
        assertArrayEquals(Files.readAllBytes(fullChild.resolve("pages-1.img")), Files.readAllBytes(tmp.resolve("flat/pages-1.img")));
    }

    @Test
    void aMissingParentIsNamedInOneLine() throws Exception {
        Path child = tmp.resolve("chain/2");
        incremental(child, "../1");
        IOException e = assertThrows(IOException.class, () -> CriuFlattener.flatten(child, tmp.resolve("flat")));
        assertTrue(e.getMessage().contains("chain/2/parent links to ../1, which does not exist"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(tmp.resolve("flat")), "nothing written");
    }

    @Test
    void aParentLinkToADirectoryGivesTheParentsUuidAndPath() throws Exception {
        Path child = chainOfTwo();
        Path out = tmp.resolve("out/inc.ckpt");
        Files.createDirectories(out.getParent());
        Backends.load().named("criu").importImage(child, TestImages.context(out));
        Path parentAgain = tmp.resolve("p2.ckpt");
        Backends.load().named("criu").importImage(tmp.resolve("chain/1"), TestImages.context(parentAgain));
        try (CkptReader inc = CkptReader.open(out); CkptReader p = CkptReader.open(parentAgain)) {
            Manifest.Parent ref = inc.manifest().parent();
            assertNotNull(ref);
            assertEquals(p.header().uuid().toString(), ref.uuid(), "the parent converted later has the UUID the child names");
            assertEquals("../chain/1", ref.path());
            assertEquals(p.table(Tables.PROCESSES).getFirst().env(), inc.table(Tables.PROCESSES).getFirst().env(), "environ read through the parent link");
        }
    }

    @Test
    void theIncrementalLinkIsNamedAfterTheParentFile() {
        assertEquals("../base", CriuCapture.linkTo(Path.of("/x/base.ckpt")));
        assertEquals("../img.d", CriuCapture.linkTo(Path.of("img")));
    }

    private CkptReader openFull() throws IOException {
        Path ckpt = tmp.resolve("full.ckpt");
        if (!Files.exists(ckpt)) Backends.load().named("criu").importImage(fullChild, TestImages.context(ckpt));
        return CkptReader.open(ckpt);
    }

    /** Same files and bytes, but pagemaps compared as the pages they list (a flattened run may stay split). */
    private static void assertSameExceptPagemap(Path expected, Path actual) throws IOException {
        Map<String, byte[]> a = TestImages.files(expected), b = TestImages.files(actual);
        assertEquals(a.keySet(), b.keySet());
        for (String f : a.keySet()) {
            if (!f.startsWith("pagemap-")) {
                assertArrayEquals(a.get(f), b.get(f), f);
                continue;
            }
            Pagemap x = Pagemap.decode(ImageParser.parse(f, ByteBuffer.wrap(a.get(f))));
            Pagemap y = Pagemap.decode(ImageParser.parse(f, ByteBuffer.wrap(b.get(f))));
            assertEquals(pages(x), pages(y), f);
        }
    }

    /** vaddr and flags of every page of a pagemap. */
    private static List<String> pages(Pagemap pm) {
        List<String> out = new java.util.ArrayList<>();
        for (Pagemap.Run r : pm.runs()) for (long k = 0; k < r.nrPages(); k++) out.add(Long.toHexString(r.vaddr() + k * 4096) + ":" + r.flags());
        return out;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }
}
