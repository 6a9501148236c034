package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three kinds of glue on the example program src/main/c/examples/aware.c: ckpt.h callbacks, hooks (stored in
 * the image and given at restart) with the new pid, and interposition (getpid/kill keep the original pid working,
 * files moved with --map-path are reopened and later open() calls follow them).
 */
class GlueTest {
    private static final Duration T = Duration.ofSeconds(30);

    record Status(long n, int checkpoints, int usr1, int pid) {
        static Status read(Path dir) throws java.io.IOException {
            Path f = dir.resolve("status");
            if (!Files.exists(f)) return null;
            String[] p = Files.readString(f).trim().split(" ");
            return new Status(Long.parseLong(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]));
        }
    }

    static Status await(Path dir, java.util.function.Predicate<Status> until) throws Exception {
        return Workloads.await(T, () -> Status.read(dir), until, "aware");
    }

    @Test
    void callbacksHooksPidsAndMovedFiles(@TempDir Path dir) throws Exception {
        Path aware = Workloads.compileExample("aware");
        NativeTools tools = NativeTools.extract();
        Files.createDirectories(dir.resolve("data"));
        Path image = dir.resolve("a.ckpt");
        Process p = null;
        ProcessHandle restored = null;
        try {
            p = Workloads.launch(tools, dir, aware, dir.toString());
            Workloads.awaitSocket(p.pid(), T);
            await(dir, s -> s.n() >= 3);
            String imageHook = "echo \"$CKPT_PID $CKPT_ORIGINAL_PID\" > " + dir.resolve("hook-image");
            new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), image, true, List.of(imageHook), Map.of(), null, null));
            assertTrue(Workloads.awaitExit(p.toHandle(), T));
            assertEquals("1", Files.readString(dir.resolve("pre")).trim(), "pre-checkpoint callback ran once");
            try (CkptReader r = CkptReader.open(image)) {
                assertTrue(r.nativeNames().contains("userspace/hooks.txt"));
            }
            long logBefore = Files.size(dir.resolve("data/log.txt"));
            long nAtKill = Status.read(dir).n();

            Files.move(dir.resolve("data"), dir.resolve("moved"));  // the program's files are elsewhere now
            String cliHook = "echo \"$CKPT_PID\" > " + dir.resolve("hook-cli");
            Restarter.Restarted rs = new Restarter(tools).restart(new Restarter.Request(image, null,
                    Map.of(dir.resolve("data").toString(), dir.resolve("moved").toString()), List.of(cliHook), true, T));
            restored = rs.process().toHandle();
            assertTrue(rs.summary().warnings().isEmpty(), rs.summary().warnings().toString());

            Status s = await(dir, x -> x.n() > nAtKill + 5 && x.usr1() >= 3);
            assertEquals((int) p.pid(), s.pid(), "getpid() is the original pid");
            // kill(getpid(), SIGUSR1) goes through the interposed kill() to the new pid: the counter proves delivery
            assertTrue(s.usr1() >= 3);
            String[] restartedLine = Files.readString(dir.resolve("restarted")).trim().split(" ");
            assertEquals("1", restartedLine[0], "generation");
            assertEquals(Long.toString(rs.pid()), restartedLine[1], "ckpt_real_pid() is the kernel's new pid");
            assertEquals(Long.toString(p.pid()), restartedLine[2]);
            assertEquals(rs.pid() + " " + p.pid(), Files.readString(dir.resolve("hook-image")).trim(), "image hook got both pids");
            assertEquals(Long.toString(rs.pid()), Files.readString(dir.resolve("hook-cli")).trim());
            // the open log fd was reopened under the new path at its position, and new open()s follow the map
            assertTrue(Files.size(dir.resolve("moved/log.txt")) > logBefore, "log grows at its new path");
            long tick = Long.parseLong(Files.readString(dir.resolve("moved/tick")).trim());
            assertTrue(tick > nAtKill, "tick rewritten under the new path after restart: " + tick);
            assertTrue(!Files.exists(dir.resolve("data")), "nothing recreated at the old path");
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
            Workloads.kill(restored);
        }
    }
}
