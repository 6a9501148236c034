package dev.ckptkit.backend.criu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.RandomImages;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.io.table.ThreadRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images that never saw CRIU (seeded random trees of processes with zero, repeated and absent pages) exported to
 * CRIU form from their tables, checked with the real crit and imported back.
 */
class TableToCriuTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 42, 2026})
    void tablesAndPagesComeBackThroughCriu(long seed) throws Exception {
        System.out.println("TableToCriuTest seed " + seed);
        RandomImages.Model m = RandomImages.model(seed, 40);
        Path in = tmp.resolve("in.ckpt"), dir = tmp.resolve("criu"), back = tmp.resolve("back.ckpt");
        RandomImages.write(m, in, 0, 1);
        Backend b = Backends.load().named("criu");
        try (CkptReader r = CkptReader.open(in)) {
            b.exportImage(r, dir, ExportOptions.none());
        }
        assertTrue(CriuImageSet.looksLike(dir));
        critDecodesEverything(dir);
        b.importImage(dir, TestImages.context(back));
        try (CkptReader r = CkptReader.open(back)) {
            assertTrue(r.verify().ok(), () -> r.verify().problems().toString());
            Map<Integer, ProcessRow> procs = new HashMap<>();
            for (ProcessRow p : r.table(Tables.PROCESSES)) procs.put(p.pid(), p);
            assertEquals(m.processes().size(), procs.size());
            int root = m.processes().getFirst().pid();
            assertEquals(root, r.table(Tables.PROCESSES).getFirst().pid(), "pstree lists the root first");
            for (ProcessRow p : m.processes()) {
                ProcessRow q = procs.get(p.pid());
                assertEquals(p.pid() == root ? 0 : root, q.ppid());
                assertEquals(List.of(p.pgid(), p.sid(), p.comm(), p.exe(), p.cwd(), p.root(), p.threads()),
                        List.of(q.pgid(), q.sid(), q.comm(), q.exe(), q.cwd(), q.root(), q.threads()));
                assertEquals(List.of(p.uid(), p.euid(), p.suid(), p.gid(), p.egid(), p.sgid(), p.groups(), p.capEff()),
                        List.of(q.uid(), q.euid(), q.suid(), q.gid(), q.egid(), q.sgid(), q.groups(), q.capEff()));
                assertNull(q.cmdline(), "no stack area with the argv strings: CRIU's mm cannot point at them");
            }
            Map<Integer, ThreadRow> threads = new HashMap<>();
            for (ThreadRow t : r.table(Tables.THREADS)) threads.put(t.tid(), t);
            for (ThreadRow t : m.threads()) {
                ThreadRow u = threads.get(t.tid());
                assertEquals(t.gpRegs(), u.gpRegs());
                assertArrayEquals(t.fpRegs(), u.fpRegs(), "the whole FXSAVE area");
                assertEquals(t.sigBlocked(), u.sigBlocked());
            }
            List<MemoryAreaRow> areas = r.table(Tables.MEMORY_AREAS);
            assertEquals(m.areas().size(), areas.size());
            for (MemoryAreaRow a : m.areas()) {
                assertTrue(areas.stream().anyMatch(x -> x.pid() == a.pid() && x.start() == a.start() && x.end() == a.end()
                        && x.prot() == a.prot() && x.flags() == a.flags() && "anon".equals(x.kind())), "area " + a);
            }
            assertEquals(new ArrayList<>(m.fds()).stream().sorted(java.util.Comparator.comparingInt(FdRow::pid)).toList(),
                    r.table(Tables.FDS).stream().sorted(java.util.Comparator.comparingInt(FdRow::pid)).toList());
            Map<Long, FileRow> files = new HashMap<>();
            for (FileRow f : r.table(Tables.FILES)) files.put(f.id(), f);
            for (FileRow f : m.files()) {
                FileRow g = files.get(f.id());
                assertEquals(List.of(f.type(), f.path(), f.flags(), f.pos(), f.size(), f.mode()),
                        List.of(g.type(), g.path(), g.flags(), g.pos(), g.size(), g.mode()));
            }
            assertPages(m, r.pages());
        }
    }

    /** Present pages (random, repeated, zero) come back with their bytes; absent ones (no data) are left out. */
    private static void assertPages(RandomImages.Model m, PageStore s) throws IOException {
        Map<Integer, TreeMap<Long, byte[]>> expected = m.pages();
        long entries = 0;
        byte[] got = new byte[4096];
        for (var e : expected.entrySet()) {
            for (var p : e.getValue().entrySet()) {
                if (p.getValue() == RandomImages.ABSENT) {
                    assertTrue(s.find(e.getKey(), p.getKey()) < 0, "absent page left out");
                    continue;
                }
                entries++;
                assertTrue(s.read(e.getKey(), p.getKey(), got, 0), "page " + Long.toHexString(p.getKey()));
                assertArrayEquals(p.getValue() == null ? new byte[4096] : p.getValue(), got);
            }
        }
        assertEquals(entries, s.size());
    }

    private static void critDecodesEverything(Path dir) throws Exception {
        Path crit = TestImages.crit();
        if (crit == null) return;  // decoding with our own parser happens on import anyway
        for (String f : TestImages.files(dir).keySet()) {
            if (!f.startsWith("pages-")) TestImages.run(List.of(crit.toString(), "decode", "-i", dir.resolve(f).toString()));
        }
    }

    @Test
    void threadsWithoutX86RegistersAreRefusedInOneLine() throws Exception {
        RandomImages.Model m = RandomImages.model(3, 4);
        List<ThreadRow> arm = m.threads().stream().map(t -> new ThreadRow(t.pid(), t.tid(), t.name(), "aarch64", t.gpRegs(),
                t.fpRegs(), null, null, null, null, null)).toList();
        RandomImages.Model bad = new RandomImages.Model(m.processes(), arm, m.areas(), m.files(), m.fds(), m.pages(),
                m.natives(), m.attachments(), m.manifest());
        Path in = tmp.resolve("arm.ckpt"), out = tmp.resolve("out");
        RandomImages.write(bad, in, 0, 1);
        try (CkptReader r = CkptReader.open(in)) {
            IOException e = assertThrows(IOException.class, () -> Backends.load().named("criu").exportImage(r, out, ExportOptions.none()));
            assertTrue(e.getMessage().contains("has no x86_64 register set; CRIU images need one per thread"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
        assertFalse(Files.exists(out), "no half-written directory");
    }

    @Test
    void criuBornImagesStillTakeTheByteExactPath() throws Exception {
        Path dir = TestImages.criuDir("memfile", tmp.resolve("in"));
        Path ckpt = tmp.resolve("m.ckpt"), out = tmp.resolve("out");
        Backend b = Backends.load().named("criu");
        b.importImage(dir, TestImages.context(ckpt));
        try (CkptReader r = CkptReader.open(ckpt)) {
            assertTrue(CriuExporter.hasCriuRecords(r));
            b.exportImage(r, out, ExportOptions.none());
        }
        TestImages.assertSameFiles(dir, out);
    }
}
