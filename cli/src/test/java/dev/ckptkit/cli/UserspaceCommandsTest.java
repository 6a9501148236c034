package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.userspace.Checkpointer;
import dev.ckptkit.backend.userspace.NativeTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
            Checkpointer.awaitSocket((int) pid, Duration.ofMillis(DEADLINE_MS));

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

    /**
     * A parent and its forked child, joined by a pipe with numbers in flight (backends/userspace/src/test/c/pipetree.c):
     * one checkpoint of the parent holds both, 'ps' shows the tree, 'restart' brings both back.
     */
    @Test
    void treeLaunchCheckpointPsRestart(@TempDir Path dir) throws Exception {
        Path src = CliRunner.root().resolve("backends/userspace/src/test/c/pipetree.c"), exe = dir.resolve("pipetree");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        gcc.getInputStream().readAllBytes();
        assertEquals(0, gcc.waitFor(), "gcc pipetree.c");
        Path image = dir.resolve("tree.ckpt"), child = dir.resolve("child");
        List<Long> pids = new java.util.ArrayList<>();
        try {
            CliRunner l = CliRunner.run("launch", "--detach", "--", exe.toString(), dir.toString());
            assertEquals(0, l.exit(), l.err());
            long pid = Long.parseLong(l.out().trim());
            pids.add(pid);
            String c = await(child, null);
            long childPid = Long.parseLong(c.split(" ")[3]);
            pids.add(childPid);
            for (long p : new long[] {pid, childPid}) Checkpointer.awaitSocket((int) p, Duration.ofMillis(DEADLINE_MS));

            CliRunner ck = CliRunner.run("checkpoint", Long.toString(pid), "-o", image.toString(), "--kill");
            assertEquals(0, ck.exit(), ck.err());
            assertTrue(ck.out().contains("pid " + pid + " and 1 more processes (" + childPid + ")") && ck.out().contains("processes ended"), ck.out());
            CliRunner ps = CliRunner.run("ps", image.toString());
            assertEquals(0, ps.exit(), ps.err());
            String childLine = ps.out().lines().filter(x -> x.startsWith(childPid + " ")).findFirst().orElseThrow(() -> new AssertionError(ps.out()));
            assertTrue(childLine.split("\\s+")[1].equals(Long.toString(pid)) && childLine.contains("\\_ "), "child under its parent:\n" + ps.out());
            CliRunner fds = CliRunner.run("fds", image.toString());
            assertTrue(fds.out().contains("(write end, ") && fds.out().contains("(read end, ") && fds.out().contains("bytes buffered"), fds.out());
            long until = System.currentTimeMillis() + DEADLINE_MS;
            while (ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false) && System.currentTimeMillis() < until) Thread.sleep(10);
            String atKill = Files.readString(child).trim();

            CliRunner r = CliRunner.run("restart", "--detach", image.toString());
            assertEquals(0, r.exit(), r.err());
            pids.add(Long.parseLong(r.out().trim()));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("restarted pid " + childPid + " as pid (\\d+)").matcher(r.err());
            assertTrue(m.find(), r.err());
            pids.add(Long.parseLong(m.group(1)));
            String after = await(child, atKill);
            String[] f = after.split(" ");
            assertEquals("1", f[2], "in order after restart: " + after);
            assertEquals(Long.toString(childPid), f[3]);
            assertEquals(Long.toString(pid), f[4], "getppid() is the parent's original pid");
            String parent = Files.readString(dir.resolve("parent")).trim();
            assertEquals(Long.toString(pid), parent.split(" ")[2], "the parent's getpid() is its original pid: " + parent);
        } finally {
            for (long p : pids) {
                ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
                Files.deleteIfExists(Checkpointer.socketOf((int) p));
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
