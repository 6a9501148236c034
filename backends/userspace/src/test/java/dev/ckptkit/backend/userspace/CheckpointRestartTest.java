package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.io.table.ThreadRow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end: a C workload (64 MiB pattern, counter, open log file, N extra threads) runs under libckpt.so, is
 * checkpointed and killed, restarted by ckpt-loader, and must go on from where it was with its memory intact.
 */
class CheckpointRestartTest {
    private static final Duration T = Duration.ofSeconds(30);
    static NativeTools tools;
    static Path counter;

    @BeforeAll
    static void build() throws Exception {
        tools = NativeTools.extract();
        counter = Workloads.compile("counter");
    }

    @ParameterizedTest(name = "{0} extra threads")
    @ValueSource(ints = {0, 4})
    void checkpointKillRestartContinues(int threads, @TempDir Path dir) throws Exception {
        Path image = dir.resolve("c.ckpt");
        Process p = null;
        ProcessHandle restored = null;
        try {
            p = Workloads.launch(tools, dir, counter, dir.toString(), Integer.toString(threads));
            Workloads.awaitSocket(p.pid(), T);
            Workloads.await(dir, T, s -> s.n() >= 5 && (threads == 0 || s.threadSum() > 0));
            var r = new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), image, true, List.of(), Map.of(), null, null));
            assertTrue(Workloads.awaitExit(p.toHandle(), T), "--kill ends the process");
            Workloads.Status atKill = Workloads.Status.read(dir);
            assertEquals(threads + 2, r.threads(), "workload threads + main + manager");
            assertTrue(r.spliced(), "the default writer takes the process's page blocks from its pipes");

            try (CkptReader img = CkptReader.open(image)) {
                assertTrue(img.verify().ok());
                assertEquals("userspace", img.manifest().style());
                List<ThreadRow> ts = img.table(Tables.THREADS);
                assertEquals(threads + 2, ts.size());
                for (ThreadRow t : ts) {
                    assertEquals(27, t.gpRegs().size());
                    assertTrue(t.fpRegs().length >= 512, "FPU state captured");
                }
                List<MemoryAreaRow> areas = img.table(Tables.MEMORY_AREAS);
                assertTrue(areas.stream().anyMatch(a -> "stack".equals(a.kind())));
                // the 64 MiB pattern is one anonymous area whose pages are all in the image
                assertTrue(img.pages().size() >= 64 * 256, "pattern pages stored: " + img.pages().size());
                Map<Long, FileRow> files = new java.util.HashMap<>();
                for (FileRow f : img.table(Tables.FILES)) files.put(f.id(), f);
                FdRow log = img.table(Tables.FDS).stream().filter(f -> dir.resolve("log.txt").toString().equals(files.get(f.fileId()).path()))
                        .findFirst().orElseThrow();
                assertTrue(files.get(log.fileId()).pos() > 0, "log position saved");
                // since CKPT 1.2: the tracer (none here) and mtimes of open and mapped files, taken inside the process
                assertEquals(0, img.table(Tables.PROCESSES).getFirst().tracerPid());
                Long logMtime = files.get(log.fileId()).mtime();
                assertNotNull(logMtime, "mtime of the open log");
                assertTrue(logMtime <= Files.getLastModifiedTime(dir.resolve("log.txt")).to(java.util.concurrent.TimeUnit.NANOSECONDS));
                long exeMtime = Files.getLastModifiedTime(counter).to(java.util.concurrent.TimeUnit.NANOSECONDS);
                List<MemoryAreaRow> exeAreas = areas.stream().filter(a -> counter.toString().equals(a.path())).toList();
                assertFalse(exeAreas.isEmpty());
                for (MemoryAreaRow a : exeAreas) assertEquals(exeMtime, a.mtime(), "mtime of the mapped executable");
                RestorePlan.Summary check = new RestorePlan(null).check(img, (int) p.pid());
                assertEquals(threads + 2, check.threads());
                assertTrue(check.warnings().isEmpty(), "everything restorable: " + check.warnings());
                Files.move(dir.resolve("log.txt"), dir.resolve("log.moved"));
                assertTrue(new RestorePlan(null).check(img, (int) p.pid()).warnings().stream().anyMatch(w -> w.contains("log.txt")),
                        "a missing file is reported");
                Files.move(dir.resolve("log.moved"), dir.resolve("log.txt"));
            }

            Restarter.Restarted rs = new Restarter(tools).restart(new Restarter.Request(image, null, Map.of(), List.of(), true, T));
            restored = rs.process().toHandle();
            assertNotEquals(p.pid(), rs.pid());
            long from = atKill.n();
            long sum = atKill.threadSum();
            Workloads.Status after = Workloads.await(dir, T, s -> s.n() > from + 5 && s.threadSum() >= sum);
            assertTrue(after.patternOk(), "64 MiB pattern intact after restart");
            assertEquals((int) p.pid(), after.pid(), "getpid() returns the original pid after restart");
            if (threads > 0) {
                long s0 = after.threadSum();
                Workloads.await(dir, T, s -> s.threadSum() > s0);  // the restored worker threads run
                assertEquals(threads + 2, Files.list(Path.of("/proc", Long.toString(rs.pid()), "task")).count());
            }
            // the log was reopened at its saved position and goes on from the counter value at checkpoint time
            List<String> lines = Files.readAllLines(dir.resolve("log.txt"));
            assertFalse(lines.isEmpty());
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
            Workloads.kill(restored);
        }
    }

    /** A process traced by strace: the image records the tracer's pid (TracerPid), which validate reports as a leak. */
    @Test
    void tracerIsRecorded(@TempDir Path dir) throws Exception {
        Path strace = Path.of("/usr/bin/strace");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(strace), "no strace");
        Process p = null, tracer = null;
        try {
            p = Workloads.launch(tools, dir, counter, dir.toString(), "0");
            Workloads.awaitSocket(p.pid(), T);
            tracer = new ProcessBuilder(strace.toString(), "-q", "-p", Long.toString(p.pid()), "-o", "/dev/null")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Path status = Path.of("/proc", Long.toString(p.pid()), "status");
            String traced = "TracerPid:\t" + tracer.pid();
            long deadline = System.nanoTime() + T.toNanos();
            while (Files.readAllLines(status).stream().noneMatch(traced::equals)
                    && System.nanoTime() < deadline) Thread.sleep(20);
            Path image = dir.resolve("t.ckpt");
            new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), image, false, List.of(), Map.of(), null, null));
            try (CkptReader img = CkptReader.open(image)) {
                assertEquals((int) tracer.pid(), img.table(Tables.PROCESSES).getFirst().tracerPid());
            }
        } finally {
            if (tracer != null) tracer.destroyForcibly().waitFor();
            if (p != null) Workloads.kill(p.toHandle());
        }
    }

    /** The dump signal writes the stream to a file; 'convert' (the userspace backend) turns it into an image. */
    @Test
    void signalWritesAStreamFileThatConvertsAndRestarts(@TempDir Path dir) throws Exception {
        Process p = null;
        ProcessHandle restored = null;
        Path stream = Checkpointer.socketDir().resolve("ckpt-PID.stream");
        try {
            p = Workloads.launch(tools, dir, counter, dir.toString(), "1");
            stream = Checkpointer.socketDir().resolve("ckpt-" + p.pid() + ".stream");
            Workloads.awaitSocket(p.pid(), T);
            Workloads.await(dir, T, s -> s.n() >= 3);
            Process k = new ProcessBuilder("kill", "-62", Long.toString(p.pid())).start();  // SIGRTMAX-2
            assertEquals(0, k.waitFor());
            Path f = stream;
            Workloads.await(T, () -> Files.exists(f) ? f : null, x -> true, "stream file " + f);
            long n = Workloads.Status.read(dir).n();
            Workloads.await(dir, T, s -> s.n() > n + 2);  // a signal checkpoint does not stop the program
            var backend = dev.ckptkit.backend.Backends.load().forInput(stream);
            assertEquals("userspace", backend.name());
            Path image = dir.resolve("s.ckpt");
            backend.importImage(stream, new dev.ckptkit.backend.ImportContext(image,
                    dev.ckptkit.io.WriterOptions.defaults(dev.ckptkit.io.WriterOptions.uuidFrom("s")), null, null, dev.ckptkit.backend.Progress.NONE));
            p.destroyForcibly();
            assertTrue(Workloads.awaitExit(p.toHandle(), T));
            long m = Workloads.Status.read(dir).n();
            var rs = new Restarter(tools).restart(new Restarter.Request(image, null, Map.of(), List.of(), true, T));
            restored = rs.process().toHandle();
            assertTrue(Workloads.await(dir, T, s -> s.n() > m + 3 || (s.n() > 3 && s.n() < n + 2)).patternOk());
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
            Workloads.kill(restored);
            Files.deleteIfExists(stream);
        }
    }

    /** zstd page blocks cannot be read in place by the loader: their pages travel inside the restore plan. */
    @Test
    void compressedImageRestarts(@TempDir Path dir) throws Exception {
        Process p = null;
        ProcessHandle restored = null;
        try {
            p = Workloads.launch(tools, dir, counter, dir.toString(), "1");
            Workloads.awaitSocket(p.pid(), T);
            Workloads.await(dir, T, s -> s.n() >= 3);
            Path image = dir.resolve("z.ckpt");
            var opts = dev.ckptkit.io.WriterOptions.defaults(dev.ckptkit.io.WriterOptions.uuidFrom("z")).withZstd(3);
            var c = new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), image, true, List.of(), Map.of(), null, opts));
            assertFalse(c.spliced(), "compressing needs the bytes: they come through the socket");
            assertTrue(Workloads.awaitExit(p.toHandle(), T));
            try (CkptReader r = CkptReader.open(image)) {  // libraries and stacks compress, the pattern does not
                assertTrue(r.verify().ok(), () -> r.verify().problems().toString());
                assertTrue(r.sections().stream().anyMatch(s -> s.info().kind() == dev.ckptkit.spec.SectionKinds.PAGE_BLOCK
                        && s.info().codec() == dev.ckptkit.spec.Codec.ZSTD), "some page blocks are zstd");
            }
            long n = Workloads.Status.read(dir).n();
            var rs = new Restarter(tools).restart(new Restarter.Request(image, null, Map.of(), List.of(), true, T));
            restored = rs.process().toHandle();
            assertTrue(Workloads.await(dir, T, s -> s.n() > n + 3).patternOk());
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
            Workloads.kill(restored);
        }
    }

    @Test
    void restartedProcessCanBeCheckpointedAgain(@TempDir Path dir) throws Exception {
        Process p = null;
        ProcessHandle second = null, third = null;
        try {
            p = Workloads.launch(tools, dir, counter, dir.toString(), "2");
            Workloads.awaitSocket(p.pid(), T);
            Workloads.await(dir, T, s -> s.n() >= 3);
            Path a = dir.resolve("a.ckpt"), b = dir.resolve("b.ckpt");
            new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), a, true, List.of(), Map.of(), null, null));
            assertTrue(Workloads.awaitExit(p.toHandle(), T));
            var r2 = new Restarter(tools).restart(new Restarter.Request(a, null, Map.of(), List.of(), true, T));
            second = r2.process().toHandle();
            Workloads.awaitSocket(r2.pid(), T);  // the manager listens again, under the new pid
            long n2 = Workloads.await(dir, T, s -> true).n();
            Workloads.await(dir, T, s -> s.n() > n2 + 3);
            var again = new Checkpointer().checkpoint(new Checkpointer.Request((int) r2.pid(), b, true, List.of(), Map.of(), null, null));
            // a restarted copy's libraries' data is anonymous memory, sent by reference: nothing may write it mid-dump
            assertTrue(again.spliced());
            try (CkptReader img = CkptReader.open(b)) {
                assertTrue(img.verify().ok(), () -> img.verify().problems().toString());
            }
            assertTrue(Workloads.awaitExit(second, T));
            long n3 = Workloads.Status.read(dir).n();
            var r3 = new Restarter(tools).restart(new Restarter.Request(b, null, Map.of(), List.of(), true, T));
            third = r3.process().toHandle();
            Workloads.Status s = Workloads.await(dir, T, x -> x.n() > n3 + 3);
            assertTrue(s.patternOk());
            assertEquals((int) p.pid(), s.pid(), "still the first incarnation's pid");
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
            Workloads.kill(second);
            Workloads.kill(third);
        }
    }

    /**
     * A piped dump sends pages by reference and trusts the process's checksums, so the library checks that the
     * memory it sent did not change before ckpt spliced it. Here the test keeps writing into the workload's pattern
     * through /proc/PID/mem, one page after the other, while it is checkpointed: each attempt must either fail on
     * one line saying so, leaving no image, or (the writes missed every block while it was in flight: the test's
     * thread shares two cores with the dump) give an image that verifies. Within five attempts one must fail, and
     * the process goes on afterwards.
     */
    @Test
    void memoryWrittenDuringThePipedDumpFailsTheCheckpoint(@TempDir Path dir) throws Exception {
        Process p = null;
        try {
            p = Workloads.launch(tools, dir, counter, dir.toString(), "0");
            Workloads.awaitSocket(p.pid(), T);
            Workloads.await(dir, T, s -> s.n() >= 3);
            long[] area = patternArea(p.pid());
            Path mem = Path.of("/proc/" + p.pid() + "/mem");
            int pid = (int) p.pid();
            try (FileChannel ch = FileChannel.open(mem, StandardOpenOption.WRITE)) {
                ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                try {
                    ch.write(word.putLong(0, 1).clear(), area[0]);
                } catch (IOException e) {
                    assumeTrue(false, "cannot write " + mem + " (no ptrace access here): " + e.getMessage());
                }
                String failure = null;
                for (int attempt = 0; attempt < 5 && failure == null; attempt++) {
                    AtomicBoolean stop = new AtomicBoolean();
                    Thread scribbler = Thread.ofPlatform().start(() -> {
                        for (long v = 2, at = area[0]; !stop.get(); v++, at = at + 4096 < area[1] ? at + 4096 : area[0]) {
                            try {
                                ch.write(word.putLong(0, v).clear(), at);
                            } catch (IOException e) {
                                return;
                            }
                        }
                    });
                    Path image = dir.resolve("c" + attempt + ".ckpt");
                    try {
                        new Checkpointer().checkpoint(new Checkpointer.Request(pid, image, false, List.of(), Map.of(), null, null));
                        try (CkptReader img = CkptReader.open(image)) {
                            assertTrue(img.verify().ok(), () -> img.verify().problems().toString());
                        }
                    } catch (IOException e) {
                        failure = e.getMessage();
                        assertFalse(Files.exists(image), "no image");
                    } finally {
                        stop.set(true);
                        scribbler.join();
                    }
                }
                assertNotNull(failure, "five checkpoints under writes, none failed");
                assertTrue(failure.contains("memory changed while the checkpoint read it"), failure);
                assertFalse(failure.contains("\n"), failure);
            }
            long n = Workloads.Status.read(dir).n();
            Workloads.await(dir, T, s -> s.n() > n + 2);  // resumed: it still counts
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
        }
    }

    /** Start and end of the workload's largest anonymous area (its 64 MiB pattern). */
    private static long[] patternArea(long pid) throws IOException {
        long best = 0, bestSize = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 5 || !f[1].startsWith("rw")) continue;  // anonymous: no path column
            String[] range = f[0].split("-");
            long start = Long.parseUnsignedLong(range[0], 16), end = Long.parseUnsignedLong(range[1], 16);
            if (end - start > bestSize) {
                best = start;
                bestSize = end - start;
            }
        }
        assertTrue(bestSize >= 64L << 20, "pattern area found");
        return new long[] {best, best + bestSize};
    }
}
