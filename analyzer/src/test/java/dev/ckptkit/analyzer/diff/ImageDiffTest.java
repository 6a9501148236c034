package dev.ckptkit.analyzer.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.RandomImages;
import dev.ckptkit.io.Seeds;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.ThreadRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pairs of synthetic images written with known differences; the diff must find exactly those. */
class ImageDiffTest {
    @TempDir
    Path tmp;

    private DiffReport diff(RandomImages.Model x, RandomImages.Model y, DiffOptions o) throws Exception {
        Path a = tmp.resolve("a.ckpt"), b = tmp.resolve("b.ckpt");
        RandomImages.write(x, a, 0, 2);
        RandomImages.write(y, b, 0, 2);
        try (CkptReader ra = CkptReader.open(a); CkptReader rb = CkptReader.open(b)) {
            return ImageDiff.compare("a", ra, "b", rb, o);
        }
    }

    @Test
    void anImageIsTheSameAsItself() throws Exception {
        for (long seed : Seeds.list(ImageDiffTest.class, 5)) {
            Seeds.reproduceOnFailure(ImageDiffTest.class, seed, () -> {
                RandomImages.Model m = RandomImages.model(seed, 40);
                DiffReport r = diff(m, m, DiffOptions.defaults().withBytes(true));
                assertTrue(r.same(), () -> r.changes() + " " + r.memory());
                assertEquals("hashes", r.pageComparison());
                assertEquals(0, r.summary().bytesChanged());
                long present = m.pages().values().stream().mapToLong(p -> p.values().stream().filter(c -> c != RandomImages.ABSENT).count()).sum();
                long absent = m.pages().values().stream().mapToLong(p -> p.values().stream().filter(c -> c == RandomImages.ABSENT).count()).sum();
                assertEquals(present, r.summary().pagesCompared());
                assertEquals(absent, r.summary().pagesUnknown());
            });
        }
    }

    @Test
    void findsTheChangesThatWereMade() throws Exception {
        for (long seed : Seeds.list(ImageDiffTest.class, 5)) {
            Seeds.reproduceOnFailure(ImageDiffTest.class, seed, () -> check(seed));
        }
    }

    private void check(long seed) throws Exception {
        RandomImages.Model m;
        long s = seed;
        do m = RandomImages.model(s++, 40); while (!hasDataPage(m));
        int pid = m.processes().getFirst().pid();
        TreeMap<Long, byte[]> pagesOfPid = m.pages().get(pid);
        long changedVa = pagesOfPid.entrySet().stream().filter(e -> e.getValue() != null && e.getValue() != RandomImages.ABSENT)
                .findFirst().orElseThrow().getKey();

        // B: one env variable changed, rip changed, a page with 3 bytes changed, one page added past the end,
        // the area grown by one page, fd position moved
        ProcessRow p0 = m.processes().getFirst();
        List<String> env = new ArrayList<>(p0.env());
        env.set(0, "K=changed");
        ProcessRow p1 = new ProcessRow(p0.pid(), p0.ppid(), p0.pgid(), p0.sid(), p0.comm(), p0.exe(), p0.cmdline(), env, p0.uid(),
                p0.euid(), p0.suid(), p0.fsuid(), p0.gid(), p0.egid(), p0.sgid(), p0.fsgid(), p0.groups(), p0.capEff(),
                p0.capPrm(), p0.cwd(), p0.root(), p0.state(), p0.exitCode(), p0.threads());
        List<ProcessRow> procs = new ArrayList<>(m.processes());
        procs.set(0, p1);
        ThreadRow t0 = m.threads().getFirst();
        List<Long> regs = new ArrayList<>(t0.gpRegs());
        regs.set(16, regs.get(16) + 5);
        List<ThreadRow> threads = new ArrayList<>(m.threads());
        threads.set(0, new ThreadRow(t0.pid(), t0.tid(), t0.name(), t0.arch(), regs, t0.fpRegs(), t0.fpFormat(), t0.xstateBv(),
                t0.sigBlocked(), t0.sigPending(), t0.syscall()));
        TreeMap<Integer, TreeMap<Long, byte[]>> pages = new TreeMap<>();
        m.pages().forEach((k, v) -> pages.put(k, new TreeMap<>(v)));
        byte[] changed = pagesOfPid.get(changedVa).clone();
        for (int off : new int[] {100, 101, 3000}) changed[off] ^= 0x5a;
        pages.get(pid).put(changedVa, changed);
        MemoryAreaRow a0 = m.areas().stream().filter(a -> a.pid() == pid).findFirst().orElseThrow();
        long addedVa = a0.end();
        byte[] added = new byte[4096];
        added[7] = 42;
        pages.get(pid).put(addedVa, added);
        List<MemoryAreaRow> areas = new ArrayList<>(m.areas());
        areas.set(areas.indexOf(a0), new MemoryAreaRow(a0.pid(), a0.start(), a0.end() + 4096, a0.prot(), a0.flags(), a0.pgoff(),
                a0.path(), a0.kind(), a0.dev(), a0.inode(), a0.status()));
        FileRow f0 = m.files().getFirst();
        List<FileRow> files = new ArrayList<>(m.files());
        files.set(0, new FileRow(f0.id(), f0.type(), f0.path(), f0.flags(), f0.pos() + 10, f0.size(), f0.mode(), f0.inode(), f0.dev(),
                f0.deleted(), f0.attachment(), f0.buildId()));
        RandomImages.Model b = new RandomImages.Model(procs, threads, areas, files, m.fds(), pages, m.natives(), m.attachments(), m.manifest());

        DiffReport r = diff(m, b, DiffOptions.defaults().withBytes(true));
        assertFalse(r.same());
        Map<String, Change> bySubject = new TreeMap<>();
        for (Change c : r.changes()) bySubject.put(c.category() + " " + c.subject(), c);
        Change proc = bySubject.get("PROCESS pid " + pid + " (" + p0.comm() + ")");
        assertNotNull(proc, bySubject.keySet().toString());
        assertEquals(List.of(new Change.FieldChange("env K", p0.env().getFirst().substring(2), "changed")), proc.fields());
        Change thr = bySubject.get("THREAD pid " + pid + " tid " + t0.tid());
        assertEquals("rip", thr.fields().getFirst().field());
        assertEquals(1, thr.fields().size());
        Change area = r.changes().stream().filter(c -> c.category() == Change.Category.AREA).findFirst().orElseThrow();
        assertEquals(Change.Kind.CHANGED, area.kind());
        assertEquals("0x" + Long.toHexString(a0.end() + 4096), area.fields().getFirst().after());
        Change fd = r.changes().stream().filter(c -> c.category() == Change.Category.FD).findFirst().orElseThrow();
        assertEquals(new Change.FieldChange("pos", Long.toString(f0.pos()), Long.toString(f0.pos() + 10)), fd.fields().getFirst());
        assertEquals(4, r.changes().size(), r.changes().toString());

        assertEquals(1, r.summary().pagesChanged());
        assertEquals(1, r.summary().pagesAdded());
        assertEquals(0, r.summary().pagesRemoved());
        assertEquals(3, r.summary().bytesChanged());
        assertEquals(1, r.memory().size(), r.memory().toString());
        DiffReport.AreaPages ap = r.memory().getFirst();
        assertEquals(pid, ap.pid());
        assertEquals(1, ap.changed());
        assertEquals(1, ap.added());
        // two byte ranges: 100-101 joined, 3000 alone
        assertEquals(2, r.byteRanges().size());
        assertEquals("0x" + Long.toHexString(changedVa + 100), r.byteRanges().getFirst().address());
        assertEquals(2, r.byteRanges().getFirst().length());
        assertTrue(r.byteRanges().getFirst().before().size() >= 1);
        assertNull(diff(m, b, DiffOptions.defaults()).summary().bytesChanged(), "bytes are not read without --bytes");
    }

    private static boolean hasDataPage(RandomImages.Model m) {
        return m.pages().get(m.processes().getFirst().pid()).values().stream().anyMatch(c -> c != null && c != RandomImages.ABSENT);
    }
}
