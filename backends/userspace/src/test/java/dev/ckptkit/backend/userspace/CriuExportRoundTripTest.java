package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.ckptkit.backend.criu.XsaveLayout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.backend.Progress;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.SignalRow;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.io.table.ThreadRow;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A userspace checkpoint (libckpt.so inside the counter workload: 64 MiB pattern, open log, two workers) goes to a
 * CRIU image directory made from its tables ({@code convert --to criu}), which the real crit decodes, which imports
 * back to the same processes, threads, areas, fds and pages, and which ckpt-loader restarts.
 */
class CriuExportRoundTripTest {
    private static final Duration T = Duration.ofSeconds(60);
    /** Standard-format XSAVE components CRIU carries: bit -> {offset, size} (Intel SDM vol. 1, 13.4). */

    static Path work;
    static Path original, criuDir, back;
    static long countAtKill;
    static int pid;

    @BeforeAll
    static void checkpointAndRoundTrip() throws Exception {
        work = Files.createTempDirectory("ckpt-us-criu-");
        NativeTools tools = NativeTools.extract();
        Path counter = Workloads.compile("counter");
        original = work.resolve("u.ckpt");
        criuDir = work.resolve("criu");
        back = work.resolve("back.ckpt");
        Process p = Workloads.launch(tools, work, counter, work.toString(), "2");
        try {
            Workloads.awaitSocket(p.pid(), T);
            Workloads.await(work, T, s -> s.n() >= 5 && s.threadSum() > 0);
            new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), original, true, List.of(), Map.of(), null, null));
            assertTrue(Workloads.awaitExit(p.toHandle(), T), "--kill ends the process");
        } finally {
            Workloads.kill(p.toHandle());
        }
        pid = (int) p.pid();
        countAtKill = Workloads.Status.read(work).n();
        Backend criu = Backends.load().named("criu");
        try (CkptReader r = CkptReader.open(original)) {
            assertEquals("userspace", r.manifest().style());
            criu.exportImage(r, criuDir, ExportOptions.none());
        }
        criu.importImage(criuDir, new ImportContext(back, WriterOptions.defaults(WriterOptions.uuidFrom(back.toString())), null, null, Progress.NONE));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (work == null) return;
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Test
    void everyExportedFileDecodesWithTheRealCrit() throws Exception {
        Path crit = Workloads.root().resolve(".tools/criu/bin/crit");
        assumeTrue(Files.isExecutable(crit), "crit is not installed (.tools/criu/bin/crit)");
        List<String> names;
        try (Stream<Path> s = Files.list(criuDir)) {
            names = s.map(f -> f.getFileName().toString()).sorted().toList();
        }
        try (CkptReader r = CkptReader.open(original)) {
            for (ThreadRow t : r.table(Tables.THREADS)) assertTrue(names.contains("core-" + t.tid() + ".img"), "core of thread " + t.tid());
        }
        for (String n : List.of("inventory.img", "pstree.img", "files.img", "mm-" + pid + ".img", "pagemap-" + pid + ".img",
                "pages-1.img", "fs-" + pid + ".img", "ids-" + pid + ".img", "fdinfo-2.img")) {
            assertTrue(names.contains(n), n + " in " + names);
        }
        for (String n : names) {
            if (n.startsWith("pages-")) continue;  // raw page data: crit has nothing to decode there
            Process d = new ProcessBuilder(crit.toString(), "decode", "-i", criuDir.resolve(n).toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(work.resolve("crit.err").toFile()).start();
            assertTrue(d.waitFor(60, TimeUnit.SECONDS), "crit decode " + n + " finished");
            assertEquals(0, d.exitValue(), () -> "crit decode " + n + ": " + read(work.resolve("crit.err")));
        }
        // crit's view of the memory: one pagemap entry per run, data for exactly the pages the image had
        Process x = new ProcessBuilder(crit.toString(), "x", criuDir.toString(), "rss").redirectErrorStream(true).start();
        String rss = new String(x.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(x.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, x.exitValue(), rss);
    }

    @Test
    void importedBackItHasTheSameProcessThreadsAreasFdsAndPages() throws Exception {
        try (CkptReader a = CkptReader.open(original); CkptReader b = CkptReader.open(back)) {
            ProcessRow pa = a.table(Tables.PROCESSES).getFirst(), pb = b.table(Tables.PROCESSES).getFirst();
            assertEquals(1, b.table(Tables.PROCESSES).size());
            assertEquals(List.of(pa.pid(), pa.pgid(), pa.sid(), pa.threads()), List.of(pb.pid(), pb.pgid(), pb.sid(), pb.threads()));
            assertEquals(0, pb.ppid(), "the root's parent is outside the image: 0, as the column says");
            assertEquals(List.of(pa.comm(), pa.exe(), pa.cwd(), pa.root()), List.of(pb.comm(), pb.exe(), pb.cwd(), pb.root()));
            assertEquals(pa.cmdline(), pb.cmdline(), "argv read back from the stack at mm_arg_start..mm_arg_end");
            assertEquals(pa.env(), pb.env(), "environment read back at mm_env_start..mm_env_end");
            assertEquals(List.of(pa.uid(), pa.euid(), pa.suid(), pa.gid(), pa.egid(), pa.sgid()),
                    List.of(pb.uid(), pb.euid(), pb.suid(), pb.gid(), pb.egid(), pb.sgid()));

            Map<Integer, ThreadRow> tb = new HashMap<>();
            for (ThreadRow t : b.table(Tables.THREADS)) tb.put(t.tid(), t);
            List<ThreadRow> ta = a.table(Tables.THREADS);
            assertEquals(ta.size(), tb.size());
            for (ThreadRow t : ta) {
                ThreadRow u = tb.get(t.tid());
                assertEquals(List.of(t.pid(), t.name(), t.arch(), t.fpFormat()), List.of(u.pid(), u.name(), u.arch(), u.fpFormat()), "thread " + t.tid());
                assertEquals(t.gpRegs(), u.gpRegs(), "general registers of " + t.tid());
                assertEquals(t.xstateBv(), u.xstateBv());
                assertEquals(t.sigBlocked(), u.sigBlocked());
                assertEquals(t.sigPending(), u.sigPending());
                assertEquals(t.syscall(), u.syscall());
                assertFpStateEqual(t, u);
            }

            List<MemoryAreaRow> ma = a.table(Tables.MEMORY_AREAS), mb = b.table(Tables.MEMORY_AREAS);
            assertEquals(ma.size(), mb.size());
            for (int i = 0; i < ma.size(); i++) {
                MemoryAreaRow x = ma.get(i), y = mb.get(i);
                String what = "area " + Long.toHexString(x.start()) + " " + x.path();
                assertEquals(List.of(x.pid(), x.start(), x.end(), x.prot(), x.flags(), x.pgoff(), x.kind()),
                        List.of(y.pid(), y.start(), y.end(), y.prot(), y.flags(), y.pgoff(), y.kind()), what);
                // CRIU names files only; [heap], [stack], [vdso] come back as their kinds
                if ("file".equals(x.kind())) assertEquals(x.path(), y.path(), what);
                else assertNull(y.path(), what);
            }

            Map<Long, FileRow> fa = files(a), fb = files(b);
            List<FdRow> da = a.table(Tables.FDS), db = b.table(Tables.FDS);
            assertFalse(da.isEmpty());
            assertEquals(da, db, "fd numbers, file ids and close-on-exec");
            for (FdRow fd : da) {
                FileRow x = fa.get(fd.fileId()), y = fb.get(fd.fileId());
                String what = "fd " + fd.fd() + " " + x.path();
                assertEquals(List.of(x.type(), x.path(), x.flags(), x.mode()), List.of(y.type(), y.path(), y.flags(), y.mode()), what);
                assertEquals(x.pos() == null ? 0L : x.pos(), y.pos(), what);
                if ((x.flags() & 3) == 0 && "reg".equals(x.type())) assertEquals(x.size(), y.size(), what);
            }
            assertEquals(actions(a), actions(b), "signal handlers");
            assertEquals(a.table(Tables.RLIMITS), b.table(Tables.RLIMITS));

            PageStore sa = a.pages(), sb = b.pages();
            assertEquals(sa.size(), sb.size(), "page entries");
            assertTrue(sa.size() >= 64 * 256, "the 64 MiB pattern is in the image");
            for (long i = 0; i < sa.size(); i++) {
                PageStore.Entry x = sa.entry(i), y = sb.entry(i);
                assertEquals(List.of(x.pid(), x.vaddr()), List.of(y.pid(), y.vaddr()), "page entry " + i);
                MemorySegment px = x.zero() ? null : sa.page(x.page()), py = y.zero() ? null : sb.page(y.page());
                if (px == null || py == null) assertEquals(x.zero(), y.zero(), "zero page at " + Long.toHexString(x.vaddr()));
                else assertEquals(-1, px.mismatch(py), "content of the page at " + Long.toHexString(x.vaddr()));
            }

            // what the tables cannot say but a restart needs went through CRIU's own fields
            Properties glue = new Properties();
            glue.load(new java.io.StringReader(new String(a.nativeRecord("userspace/glue-" + pid + ".properties"), StandardCharsets.UTF_8)));
            Properties fromCriu = CriuGlue.of(b, pid, b.table(Tables.THREADS));
            assertEquals(glue.getProperty("start_brk"), fromCriu.getProperty("start_brk"));
            assertEquals(glue.getProperty("brk"), fromCriu.getProperty("brk"));
            for (ThreadRow t : ta) assertEquals(glue.getProperty("tid_addr." + t.tid()), fromCriu.getProperty("tid_addr." + t.tid()), "tid address of " + t.tid());
        }
    }

    @Test
    void theRoundTrippedImageRestartsWithTheLoaderAndGoesOn() throws Exception {
        ProcessHandle restored = null;
        try {
            Restarter.Restarted rs = new Restarter(NativeTools.extract()).restart(new Restarter.Request(back, null, Map.of(), List.of(), true, T));
            restored = rs.process().toHandle();
            assertEquals(4, rs.summary().threads(), "main, manager and two workers");
            Workloads.Status after = Workloads.await(work, T, s -> s.n() > countAtKill + 5);
            assertTrue(after.patternOk(), "64 MiB pattern intact after the trip through CRIU");
            assertEquals(pid, after.pid(), "libckpt.so's getpid() still answers the original pid");
            long sum = after.threadSum();
            Workloads.await(work, T, s -> s.threadSum() > sum);  // the restored workers run
        } finally {
            Workloads.kill(restored);
        }
    }

    /** The FXSAVE area, XSTATE_BV, and every XSAVE component the thread had in use (what CRIU's fields carry). */
    private static void assertFpStateEqual(ThreadRow t, ThreadRow u) {
        byte[] x = t.fpRegs(), y = u.fpRegs();
        assertTrue(y.length >= 512, "FPU state of " + t.tid());
        assertArrayEquals(Arrays.copyOf(x, 512), Arrays.copyOf(y, 512), "FXSAVE area of " + t.tid());
        if (!"xsave".equals(t.fpFormat())) return;
        long bv = ByteBuffer.wrap(x).order(ByteOrder.LITTLE_ENDIAN).getLong(512);
        assertEquals(bv, ByteBuffer.wrap(y).order(ByteOrder.LITTLE_ENDIAN).getLong(512));
        List<Integer> lost = new ArrayList<>();
        for (int bit = 2; bit < 64; bit++) {
            if ((bv & (1L << bit)) == 0) continue;
            // where this CPU's kernel put the component (AMD and Intel differ), checked against CPUID in XsaveLayoutTest
            int[] c = XsaveLayout.ofLength(x.length).component(bit);
            if (c == null) {
                lost.add(bit);
                continue;
            }
            assertArrayEquals(Arrays.copyOfRange(x, c[0], c[0] + c[1]), Arrays.copyOfRange(y, c[0], c[0] + c[1]),
                    "XSAVE component " + bit + " of " + t.tid());
        }
        assertEquals(List.of(), lost, "XSAVE components in use that CRIU's core image has no field for");
    }

    private static Map<Long, FileRow> files(CkptReader r) throws IOException {
        Map<Long, FileRow> m = new HashMap<>();
        for (FileRow f : r.table(Tables.FILES)) m.put(f.id(), f);
        return m;
    }

    /** Handlers other than SIG_DFL with no flags (CRIU keeps all 62, the importer lists the others). */
    private static List<SignalRow> actions(CkptReader r) throws IOException {
        return r.table(Tables.SIGNALS).stream().filter(s -> "action".equals(s.kind()))
                .filter(s -> s.handler() != 0 || s.flags() != 0 || s.mask() != 0).toList();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no output)";
        }
    }
}
