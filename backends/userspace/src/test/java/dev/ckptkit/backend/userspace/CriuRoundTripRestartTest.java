package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.backend.Progress;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.WriterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ckpt-loader restarts an image that never saw libckpt.so: a plain multi-threaded process dumped by real CRIU,
 * imported to CKPT, exported back to a CRIU image directory and imported again. Only the common tables and the
 * page store are used, so this is the cross-backend check of both the registers/XSAVE layout and the memory model.
 * (CriuExportRoundTripTest does the other direction: a libckpt.so image through a CRIU directory made from its tables.)
 */
class CriuRoundTripRestartTest {
    private static final Duration T = Duration.ofSeconds(60);

    @Test
    void criuDumpThroughCkptAndBackRestartsWithOwnLoader(@TempDir Path dir) throws Exception {
        Path criu = Workloads.criu();
        Path counter = Workloads.compile("counter");
        NativeTools tools = NativeTools.extract();
        Path work = Files.createDirectories(dir.resolve("w"));
        ProcessHandle victim = null, restored = null;
        try {
            // setsid -f: the workload is not a child of this JVM, whose reaper would take CRIU's ptrace stops
            Process s = new ProcessBuilder("setsid", "-f", counter.toString(), work.toString(), "2")
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
            assertTrue(s.waitFor(10, TimeUnit.SECONDS));
            Workloads.Status st = Workloads.await(work, T, x -> x.n() >= 3 && x.threadSum() > 0);
            victim = ProcessHandle.of(st.pid()).orElseThrow();
            Path dump = Files.createDirectories(dir.resolve("dump"));
            Process d = new ProcessBuilder(criu.toString(), "dump", "-t", Integer.toString(st.pid()), "-D", dump.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("criu.log").toFile()).start();
            assertTrue(d.waitFor(60, TimeUnit.SECONDS), "criu dump finished");
            assertEquals(0, d.exitValue(), () -> "criu dump failed: " + read(dir.resolve("criu.log")));
            assertTrue(Workloads.awaitExit(victim, T), "criu dump ends the process");
            long atDump = Workloads.Status.read(work).n();

            Backend b = Backends.load().named("criu");
            Path first = dir.resolve("first.ckpt"), back = dir.resolve("back"), second = dir.resolve("second.ckpt");
            b.importImage(dump, ctx(first));
            try (CkptReader r = CkptReader.open(first)) {
                b.exportImage(r, back, ExportOptions.none());
            }
            b.importImage(back, ctx(second));

            Restarter.Restarted rs = new Restarter(tools).restart(new Restarter.Request(second, null, Map.of(), List.of(), true, T));
            restored = rs.process().toHandle();
            assertEquals(3, rs.summary().threads());
            Workloads.Status after = Workloads.await(work, T, x -> x.n() > atDump + 5);
            assertTrue(after.patternOk(), "64 MiB pattern intact");
            assertEquals(rs.pid(), after.pid(), "no libckpt.so in this process: getpid() is the kernel's");
            long sum = after.threadSum();
            Workloads.await(work, T, x -> x.threadSum() > sum);  // the two worker threads run again
        } finally {
            Workloads.kill(victim);
            Workloads.kill(restored);
        }
    }

    private static ImportContext ctx(Path out) {
        return new ImportContext(out, WriterOptions.defaults(WriterOptions.uuidFrom(out.toString())), null, null, Progress.NONE);
    }


    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(no log)";
        }
    }
}
