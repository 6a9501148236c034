package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.backend.RestoreOptions;
import dev.ckptkit.backend.RestoreResult;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.PageSink;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.TableCodec;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real criu restores checkpoints libckpt.so took from inside the process, from CRIU files made from the
 * tables (TableToCriu), directly, through {@code ckpt restore}, and after importing that directory back: the counter
 * workload goes on under its own pid with memory and threads intact each time. Needs root and the private CRIU.
 */
class CriuRestoreOfUserspaceImageTest {
    private static final Duration T = Duration.ofSeconds(60);

    @Test
    void criuRestoresTheExportedDirectoryAndImagesWithoutVdsoPages(@TempDir Path dir) throws Exception {
        Path criuBin = Workloads.criu();
        assumeTrue("root".equals(System.getProperty("user.name")), "criu restore needs root");
        NativeTools tools = NativeTools.extract();
        Path counter = Workloads.compile("counter");
        Path image = dir.resolve("u.ckpt"), exported = dir.resolve("criu");
        Process p = Workloads.launch(tools, dir, counter, dir.toString(), "2");
        ProcessHandle restored = null;
        try {
            Workloads.awaitSocket(p.pid(), T);
            Workloads.await(dir, T, s -> s.n() >= 5 && s.threadSum() > 0);
            new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), image, true, List.of(), Map.of(), null, null));
            assertTrue(Workloads.awaitExit(p.toHandle(), T), "--kill ends the process");
            long atKill = Workloads.Status.read(dir).n();
            Backend criu = Backends.load().named("criu");

            // 1. plain `criu restore -D DIR` of what `ckpt convert x.ckpt --to criu -o DIR` wrote
            try (CkptReader img = CkptReader.open(image)) {
                criu.exportImage(img, exported, ExportOptions.none());
            }
            Path pidfile = dir.resolve("restore.pid"), log = dir.resolve("restore.log");
            Process r = new ProcessBuilder(criuBin.toString(), "restore", "-D", exported.toString(), "-d", "-v4", "-o", log.toString(),
                    "--pidfile", pidfile.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("criu.out").toFile()).start();
            assertTrue(r.waitFor(60, TimeUnit.SECONDS), "criu restore finished");
            assertEquals(0, r.exitValue(), () -> "criu restore failed: " + tail(log));
            int pid = Integer.parseInt(Files.readString(pidfile, StandardCharsets.US_ASCII).strip());
            restored = ProcessHandle.of(pid).orElse(null);
            assertEquals(p.pid(), pid, "criu restores the original pid");
            assertGoesOn(dir, atKill, pid);
            Workloads.kill(restored);
            assertTrue(Workloads.awaitExit(restored, T));

            // 2. an image whose [vdso] has no pages (libckpt.so saved none before): `ckpt restore` puts in the
            //    running kernel's vDSO, the image being from this kernel
            Path noVdso = dir.resolve("no-vdso.ckpt");
            withoutVdsoPages(image, noVdso);
            Files.delete(dir.resolve("status"));
            RestoreResult rr;
            try (CkptReader img = CkptReader.open(noVdso)) {
                rr = criu.restore(img, new RestoreOptions(false, false, List.of(), false));
            }
            restored = ProcessHandle.of(rr.rootPid()).orElse(null);
            assertEquals(p.pid(), rr.rootPid());
            assertGoesOn(dir, atKill, rr.rootPid());
            Workloads.kill(restored);
            assertTrue(Workloads.awaitExit(restored, T));

            // 3. the image imported back from the exported directory (now CRIU-born: the byte-exact path)
            Path back = dir.resolve("back.ckpt");
            criu.importImage(exported, new dev.ckptkit.backend.ImportContext(back, WriterOptions.defaults(WriterOptions.uuidFrom("back")),
                    null, null, dev.ckptkit.backend.Progress.NONE));
            Files.delete(dir.resolve("status"));
            try (CkptReader img = CkptReader.open(back)) {
                rr = criu.restore(img, new RestoreOptions(false, false, List.of(), false));
            }
            restored = ProcessHandle.of(rr.rootPid()).orElse(null);
            assertGoesOn(dir, atKill, rr.rootPid());
        } finally {
            Workloads.kill(p.toHandle());
            Workloads.kill(restored);
        }
    }

    private static void assertGoesOn(Path dir, long atKill, int pid) throws Exception {
        Workloads.Status after = Workloads.await(dir, T, s -> s.n() > atKill + 5);
        assertTrue(after.patternOk(), "64 MiB pattern intact after criu restore");
        long sum = after.threadSum();
        Workloads.await(dir, T, s -> s.threadSum() > sum);  // the worker threads run too
        try (var tasks = Files.list(Path.of("/proc", Integer.toString(pid), "task"))) {
            assertEquals(4, tasks.count(), "main, manager and two workers");
        }
    }

    /** A copy of an image without the page data of its [vdso] area, as libckpt.so wrote images before it kept it. */
    private static void withoutVdsoPages(Path from, Path to) throws IOException {
        try (CkptReader r = CkptReader.open(from); CkptWriter w = CkptWriter.create(to, WriterOptions.defaults(WriterOptions.uuidFrom(to.toString())))) {
            for (TableCodec<?> t : Tables.STORED) copy(r, w, t);
            for (String n : r.nativeNames()) w.nativeRecord(n, r.nativeRecord(n));
            List<MemoryAreaRow> vdso = r.table(Tables.MEMORY_AREAS).stream().filter(a -> "vdso".equals(a.kind())).toList();
            assertEquals(1, vdso.size());
            PageStore s = r.pages();
            long dropped = 0;
            for (long i = 0; i < s.size(); i++) {
                PageStore.Entry e = s.entry(i);
                if (Long.compareUnsigned(e.vaddr(), vdso.getFirst().start()) >= 0 && Long.compareUnsigned(e.vaddr(), vdso.getFirst().end()) < 0) {
                    dropped++;
                } else if (e.absent()) {
                    w.pages().addAbsent(e.pid(), e.vaddr(), PageSink.ABSENT);
                } else {
                    w.pages().add(e.pid(), e.vaddr(), e.zero() ? new byte[4096] : s.page(e.page()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 0);
                }
            }
            assertTrue(dropped > 0, "libckpt.so saved the vDSO's pages");
            w.manifest(r.manifest());
            w.commit();
        }
    }

    private static <T extends Record> void copy(CkptReader r, CkptWriter w, TableCodec<T> t) throws IOException {
        w.table(t, r.table(t));
    }

    private static String tail(Path log) {
        try {
            List<String> l = Files.readAllLines(log);
            return String.join("\n", l.subList(Math.max(0, l.size() - 15), l.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

}
