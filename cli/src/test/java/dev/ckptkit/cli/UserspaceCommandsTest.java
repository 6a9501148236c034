package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.userspace.Checkpointer;
import dev.ckptkit.backend.userspace.NativeTools;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ckpt launch / checkpoint / restart through the CLI, on the benchmark workload (16 MiB dirtied, ticking). */
class UserspaceCommandsTest {
    private static final long DEADLINE_MS = 30_000;

    @Test
    void launchCheckpointKillRestart(@TempDir Path dir) throws Exception {
        Path dirty = NativeTools.extract().benchWorkload();
        Path status = dir.resolve("status"), image = dir.resolve("x.ckpt"), hookOut = dir.resolve("hook");
        long pid = -1, newPid = -1;
        try {
            CliRunner l = CliRunner.run("launch", "--detach", "--", dirty.toString(), "16", status.toString());
            assertEquals(0, l.exit(), l.err());
            pid = Long.parseLong(l.out().trim());
            String first = await(status, null);
            assertEquals(Long.toString(pid), first.split(" ")[1]);
            long deadline = System.currentTimeMillis() + DEADLINE_MS;
            while (!Files.exists(Checkpointer.socketOf((int) pid)) && System.currentTimeMillis() < deadline) Thread.sleep(10);

            CliRunner c = CliRunner.run("checkpoint", Long.toString(pid), "-o", image.toString(), "--kill",
                    "--hook", "echo $CKPT_ORIGINAL_PID $CKPT_PID > " + hookOut);
            assertEquals(0, c.exit(), c.err());
            assertTrue(c.out().contains("pid " + pid) && c.out().contains("process ended"), c.out());
            CliRunner info = CliRunner.run("info", image.toString());
            assertTrue(info.out().contains("userspace"), info.out());
            long until = System.currentTimeMillis() + DEADLINE_MS;
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.currentTimeMillis() < until) Thread.sleep(10);
            String atKill = Files.readString(status).trim();

            CliRunner r = CliRunner.run("restart", "--detach", image.toString());
            assertEquals(0, r.exit(), r.err());
            newPid = Long.parseLong(r.out().trim());
            assertNotEquals(pid, newPid);
            assertTrue(r.err().contains("restarted pid " + pid + " as pid " + newPid), r.err());
            String after = await(status, atKill);
            // the workload prints getpid(): libckpt.so keeps answering the original pid
            assertEquals(Long.toString(pid), after.split(" ")[1]);
            assertTrue(Long.parseLong(after.split(" ")[0]) > Long.parseLong(atKill.split(" ")[0]), "counter went on: " + atKill + " -> " + after);
            assertEquals(pid + " " + newPid, Files.readString(hookOut).trim());
        } finally {
            for (long p : new long[] {pid, newPid}) {
                if (p <= 0) continue;
                ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
                Files.deleteIfExists(Checkpointer.socketOf((int) p));  // SIGKILL leaves it behind
            }
        }
    }

    @Test
    void checkpointOfAProcessWithoutTheLibraryIsAOneLineError(@TempDir Path dir) {
        CliRunner c = CliRunner.run("checkpoint", Long.toString(ProcessHandle.current().pid()), "-o", dir.resolve("y.ckpt").toString());
        assertEquals(ExitCodes.TROUBLE, c.exit());
        assertTrue(c.err().contains("has no checkpoint socket") && c.err().lines().count() == 1, c.err());
        assertTrue(!Files.exists(dir.resolve("y.ckpt")));
    }

    @Test
    void restartOfAMissingImageIsAOneLineError(@TempDir Path dir) {
        CliRunner c = CliRunner.run("restart", dir.resolve("nope.ckpt").toString());
        assertEquals(ExitCodes.TROUBLE, c.exit());
        assertTrue(c.err().contains("nope.ckpt: no such file"), c.err());
    }

    /** Waits for a status line different from {@code not}. */
    private static String await(Path status, String not) throws Exception {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(status)) {
                String s = Files.readString(status).trim();
                if (s.split(" ").length >= 3 && !s.equals(not)) return s;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no new status in " + status);
    }
}
