package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One open file description held by four descriptors (dup'ed, then inherited across fork: src/test/c/sharedfile.c)
 * is one files row in the image, and after kill and restart it is again one description, at the saved offset: a
 * byte read by the child moves the parent's offset too (kcmp(2) and /proc/PID/fdinfo say so, not just the workload).
 */
class SharedFileTest {
    private static final Duration T = Duration.ofSeconds(30);
    static NativeTools tools;
    static Path sharedfile;

    @BeforeAll
    static void build() throws Exception {
        tools = NativeTools.extract();
        sharedfile = Workloads.compile("sharedfile");
    }

    /** OUTDIR/NAME: ticks pid fd dup-fd bytes-read last-byte. */
    record Status(long ticks, int pid, int fd, int dupFd, long reads, long last) {
        static Status read(Path dir, String name) throws IOException {
            long[] v = Workloads.fields(dir.resolve(name), 6);
            return v == null ? null : new Status(v[0], (int) v[1], (int) v[2], (int) v[3], v[4], v[5]);
        }
    }

    @Test
    void aDescriptionSharedAcrossForkAndDupIsOneAgainAfterRestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data.txt");
        Files.writeString(data, "0123456789abcdefghijklmnopqrstuvwxyz");
        Path image = dir.resolve("shared.ckpt");
        Process p = null;
        List<ProcessHandle> all = new ArrayList<>();
        try {
            p = Workloads.launch(tools, dir, sharedfile, dir.toString(), data.toString());
            int parentPid = (int) p.pid();
            all.add(p.toHandle());
            Status child = Workloads.await(T, () -> Status.read(dir, "child"), s -> s.ticks() > 2, "child");
            ProcessHandle.of(child.pid()).ifPresent(all::add);
            Workloads.awaitSocket(p.pid(), T);
            Workloads.awaitSocket(child.pid(), T);
            int fd = child.fd(), dupFd = child.dupFd();
            Kcmp kcmp = Kcmp.available().orElseThrow();
            assertTrue(kcmp.sameFile((int) p.pid(), fd, child.pid(), dupFd), "the workload shares one description before");

            new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), image, true, List.of(), Map.of(), null, null));
            for (ProcessHandle h : all) assertTrue(Workloads.awaitExit(h, T), "--kill ends both");

            try (CkptReader img = CkptReader.open(image)) {
                List<FdRow> holders = img.table(Tables.FDS).stream()
                        .filter(f -> (f.fd() == fd || f.fd() == dupFd) && (f.pid() == parentPid || f.pid() == child.pid())).toList();
                assertEquals(4, holders.size(), "two descriptors in each process: " + holders);
                Set<Long> ids = holders.stream().map(FdRow::fileId).collect(Collectors.toSet());
                assertEquals(1, ids.size(), "one files row for the one description: " + holders);
                FileRow row = img.table(Tables.FILES).stream().filter(f -> f.id() == ids.iterator().next()).findFirst().orElseThrow();
                assertEquals(data.toString(), row.path());
                assertEquals(3L, row.pos(), "the offset after the first 3 bytes");
            }

            Restarter.Restarted rs = new Restarter(tools).restart(new Restarter.Request(image, null, Map.of(), List.of(), true, T));
            rs.pids().values().forEach(x -> ProcessHandle.of(x).ifPresent(all::add));
            int parentNow = Math.toIntExact(rs.pids().get(parentPid)), childNow = Math.toIntExact(rs.pids().get(child.pid()));
            assertNotEquals(child.pid(), childNow);
            Workloads.await(T, () -> Status.read(dir, "child"), s -> s.ticks() > child.ticks() + 2, "child after restart");
            assertTrue(kcmp.sameFile(parentNow, fd, childNow, fd), "parent and child share the description again");
            assertTrue(kcmp.sameFile(parentNow, fd, parentNow, dupFd), "so do the dup'ed descriptors");
            assertTrue(kcmp.sameFile(parentNow, fd, childNow, dupFd));
            assertFalse(kcmp.sameFile(parentNow, fd, childNow, 0), "kcmp tells other descriptions apart");
            assertEquals(3, pos(parentNow, fd), "restored at the saved offset");

            new ProcessBuilder("kill", "-USR1", Integer.toString(childNow)).start().waitFor();
            Status read = Workloads.await(T, () -> Status.read(dir, "child"), s -> s.reads() == 1, "child reads one byte");
            assertEquals('3', read.last(), "the byte at the shared offset");
            assertEquals(4, pos(parentNow, fd), "the child's read moved the parent's offset");
            assertEquals(4, pos(parentNow, dupFd));
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
            for (ProcessHandle h : all) Workloads.kill(h);
        }
    }

    private static long pos(int pid, int fd) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd))) {
            if (l.startsWith("pos:")) return Long.parseLong(l.substring(4).trim());
        }
        throw new AssertionError("no pos in fdinfo of " + pid + "/" + fd);
    }
}
