package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pid virtualisation beyond getpid/kill/waitpid (src/test/c/pidcalls.c): a parent, a child that made itself a session
 * leader and another child are checkpointed as a tree, killed and restarted under new kernel pids; then
 * getpgid/getpgrp/getsid/setpgid, waitid (P_PID and P_PGID), tgkill, sigqueue and /proc/PID/... paths (open, fopen,
 * the stat family, access, readlink, opendir; also "PID/..." relative to a dirfd or cwd of /proc), called with the
 * original pids, reach the restored processes and answer with original pids.
 */
class PidCallsTest {
    private static final Duration T = Duration.ofSeconds(30);
    static NativeTools tools;
    static Path pidcalls;

    @BeforeAll
    static void build() throws Exception {
        tools = NativeTools.extract();
        pidcalls = Workloads.compile("pidcalls");
    }

    /** A status file of key=value words, or null while it is not written yet. */
    private static Map<String, Integer> values(Path f) throws IOException {
        if (!Files.exists(f)) return null;
        String s = Files.readString(f);
        if (!s.endsWith("\n")) return null;
        Map<String, Integer> m = new HashMap<>();
        for (String w : s.trim().split(" ")) {
            int eq = w.indexOf('=');
            m.put(w.substring(0, eq), Integer.parseInt(w.substring(eq + 1)));
        }
        return m;
    }

    /** pid, getpgid/getpgrp/getsid of itself, tgkill/sigqueue to itself and its /proc/PID: the same in both. */
    private static void assertSelf(String who, Map<String, Integer> v, int original, long now, int group, int session) {
        assertEquals(original, v.get("pid"), who + ": getpid() " + v);
        assertEquals(now, (long) v.get("real"), who + ": runs under its new pid " + v);
        assertEquals(group, v.get("pgid0"), who + ": getpgid(0) " + v);
        assertEquals(group, v.get("pgid"), who + ": getpgid(getpid()) " + v);
        assertEquals(group, v.get("pgrp"), who + ": getpgrp() " + v);
        assertEquals(session, v.get("sid0"), who + ": getsid(0) " + v);
        assertEquals(session, v.get("sid"), who + ": getsid(getpid()) " + v);
        assertEquals(0, v.get("tgkill"), who + ": tgkill(getpid(), gettid(), 0) " + v);
        assertEquals(0, v.get("tgkillpid"), who + ": tgkill(getpid(), getpid(), 0) " + v);
        assertEquals(0, v.get("sigqueue"), who + ": sigqueue(getpid(), 0) " + v);
        assertEquals(now, (long) v.get("proc"), who + ": /proc/getpid()/status is its own " + v);
        assertEquals(now, (long) v.get("fproc"), who + ": /proc/getpid()/status by fopen is its own " + v);
        assertEquals(now, (long) v.get("procat"), who + ": openat(fd of /proc, \"getpid()/status\") is its own " + v);
        assertEquals(now, (long) v.get("proccwd"), who + ": open(\"getpid()/status\") in a cwd of /proc is its own " + v);
        // 1: the call on /proc/<getpid()>/... (and "<getpid()>/..." relative to a dirfd of /proc: the *fd keys) reached
        // its own directory now (the stat calls found /proc/self/exe's file; readlink its target; opendir of task/ lists
        // its pid now)
        for (String call : PATH_CALLS) assertEquals(1, v.get(call), who + ": " + call + " on /proc/<getpid()>/... " + v);
    }

    private static final List<String> PATH_CALLS = List.of("stat", "stat64", "lstat", "lstat64", "fstatat", "fstatatfd", "fstatat64fd",
            "statx", "statxfd", "xstat", "xstat64", "lxstat", "lxstat64", "fxstatatfd", "fxstatat64", "access", "euidaccess", "eaccess",
            "faccessat", "faccessatfd", "readlink", "readlinkat", "readlinkatfd", "opendir");

    @Test
    void pidCallsUseOriginalPidsAfterKillAndRestart(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("tree.ckpt");
        Process p = null;
        List<ProcessHandle> all = new ArrayList<>();
        try {
            p = Workloads.launch(tools, dir, pidcalls, dir.toString());
            all.add(p.toHandle());
            String[] ids = Workloads.await(T, () -> Files.exists(dir.resolve("pids")) ? Files.readString(dir.resolve("pids")).trim().split(" ") : null,
                    x -> x.length == 3, "pids file");
            int parent = Integer.parseInt(ids[0]), child = Integer.parseInt(ids[1]), other = Integer.parseInt(ids[2]);
            assertEquals((int) p.pid(), parent);
            for (int pid : new int[] {parent, child, other}) {
                ProcessHandle.of(pid).ifPresent(all::add);
                Workloads.awaitSocket(pid, T);
            }
            // the child calls setsid() first thing: wait until /proc says it is done
            Workloads.await(T, () -> getValue("sid", child), s -> s == child, "the child's setsid()");

            var r = new Checkpointer().checkpoint(new Checkpointer.Request(parent, image, true, List.of(), Map.of(), null, null));
            assertEquals(Set.of(parent, child, other), Set.copyOf(r.pids()), "every process of the tree in the image");
            for (ProcessHandle h : all) assertTrue(Workloads.awaitExit(h, T), "--kill ends every process of the tree");

            Restarter.Restarted rs = new Restarter(tools).restart(new Restarter.Request(image, null, Map.of(), List.of(), true, T));
            rs.pids().values().forEach(x -> ProcessHandle.of(x).ifPresent(all::add));
            long parentNow = rs.pids().get(parent), childNow = rs.pids().get(child), otherNow = rs.pids().get(other);
            assertNotEquals(parent, parentNow, "the restarted parent has a new kernel pid");
            assertNotEquals(child, childNow, "the restarted child has a new kernel pid");
            assertNotEquals(other, otherNow);
            // the restored root is the loader: its group and session are the ones it was started in (the JVM's)
            long groupNow = getValue("pgrp", parentNow), sessionNow = getValue("sid", parentNow);
            Files.writeString(dir.resolve("go"), "");

            Map<String, Integer> c = Workloads.await(T, () -> values(dir.resolve("child")), x -> true, "child results");
            assertSelf("child", c, child, childNow, child, child);
            assertEquals(0, c.get("ptgkill"), "child: tgkill(getppid(), getppid(), 0) " + c);
            assertEquals(0, c.get("psigqueue"), "child: sigqueue(getppid(), 0) " + c);

            Map<String, Integer> v = Workloads.await(T, () -> values(dir.resolve("parent")), x -> true, "parent results");
            // (ids that are no process of the tree come back as the kernel says them)
            assertSelf("parent", v, parent, parentNow, groupNow == parentNow ? parent : (int) groupNow, sessionNow == parentNow ? parent : (int) sessionNow);
            assertEquals(child, v.get("cpgid"), "getpgid(child) " + v);
            assertEquals(child, v.get("csid"), "getsid(child) " + v);
            assertEquals(childNow, (long) v.get("cproc"), "/proc/<child's original pid>/status is the child's " + v);
            assertEquals(0, v.get("setpgid"), "setpgid(other, other) " + v);
            assertEquals(other, v.get("opgid"), "getpgid(other) after setpgid(other, other) " + v);
            assertEquals(0, v.get("waitid"), "waitid(P_PID, child) " + v);
            assertEquals(child, v.get("wpid"), "waitid(P_PID, child) reports the child's original pid " + v);
            assertEquals(1, v.get("wcode"), "CLD_EXITED " + v);
            assertEquals(7, v.get("wstatus"), v.toString());
            assertEquals(0, v.get("kill"), v.toString());
            assertEquals(0, v.get("gwaitid"), "waitid(P_PGID, other) " + v);
            assertEquals(other, v.get("gpid"), "waitid(P_PGID, other) reports the other child's original pid " + v);
            assertEquals(2, v.get("gcode"), "CLD_KILLED " + v);
            assertEquals(9, v.get("gstatus"), v.toString());
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
            for (ProcessHandle h : all) Workloads.kill(h);
        }
    }

    /** pgrp (field 5) or sid (field 6) of /proc/PID/stat. */
    private static long getValue(String what, long pid) throws IOException {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f["pgrp".equals(what) ? 2 : 3]);
    }
}
