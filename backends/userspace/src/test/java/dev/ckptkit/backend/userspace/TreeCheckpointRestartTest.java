package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.PipeRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * A parent and a forked child connected by a pipe (src/test/c/pipetree.c), with sequence numbers in flight in the
 * pipe, are checkpointed as one tree, killed, and restarted: both go on, with their original pids, and the child
 * reads every number exactly once and in order, the in-flight ones included.
 */
class TreeCheckpointRestartTest {
    private static final Duration T = Duration.ofSeconds(30);
    static NativeTools tools;
    static Path pipetree;

    @BeforeAll
    static void build() throws Exception {
        tools = NativeTools.extract();
        pipetree = Workloads.compile("pipetree");
    }

    /** OUTDIR/parent: ticks last-written pid ppid kill-and-waitpid-ok. */
    record Parent(long ticks, long written, int pid, int ppid, boolean signalOk) {
        static Parent read(Path dir) throws IOException {
            long[] v = fields(dir.resolve("parent"), 5);
            return v == null ? null : new Parent(v[0], v[1], (int) v[2], (int) v[3], v[4] == 1);
        }
    }

    /** OUTDIR/child: reads last-read in-order pid ppid SIGUSR1-received. */
    record Child(long reads, long last, boolean inOrder, int pid, int ppid, long signals) {
        static Child read(Path dir) throws IOException {
            long[] v = fields(dir.resolve("child"), 6);
            return v == null ? null : new Child(v[0], v[1], v[2] == 1, (int) v[3], (int) v[4], v[5]);
        }
    }

    private static long[] fields(Path f, int n) throws IOException {
        if (!Files.exists(f)) return null;
        String[] p = Files.readString(f).trim().split(" ");
        if (p.length < n) return null;
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = Long.parseLong(p[i]);
        return v;
    }

    @Test
    void treeWithPipeDataSurvivesKillAndRestart(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("tree.ckpt");
        Process p = null;
        List<ProcessHandle> all = new ArrayList<>();
        try {
            p = Workloads.launch(tools, dir, pipetree, dir.toString());
            Workloads.awaitSocket(p.pid(), T);
            Child c0 = Workloads.await(T, () -> Child.read(dir), c -> c.reads() >= 5, "child");
            int childPid = c0.pid();
            all.add(p.toHandle());
            ProcessHandle.of(childPid).ifPresent(all::add);
            Workloads.awaitSocket(childPid, T);
            Workloads.await(T, () -> Parent.read(dir), x -> x.written() > c0.last() + 20, "bytes in flight");

            var r = new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), image, true, List.of(), Map.of(), null, null));
            assertEquals(List.of((int) p.pid(), childPid), r.pids().stream().sorted().toList(), "both processes in the image");
            for (ProcessHandle h : all) assertTrue(Workloads.awaitExit(h, T), "--kill ends every process of the tree");
            Parent parentAtKill = Parent.read(dir);
            Child childAtKill = Child.read(dir);
            long inFlight = parentAtKill.written() - childAtKill.last();
            assertTrue(inFlight > 0, "numbers in flight at checkpoint time: " + parentAtKill + " / " + childAtKill);

            try (CkptReader img = CkptReader.open(image)) {
                assertTrue(img.verify().ok());
                Map<Integer, ProcessRow> ps = img.table(Tables.PROCESSES).stream().collect(Collectors.toMap(ProcessRow::pid, x -> x));
                assertEquals(Set.of((int) p.pid(), childPid), ps.keySet());
                assertEquals((int) p.pid(), ps.get(childPid).ppid(), "the child's parent is the launched program");
                assertEquals(ps.get((int) p.pid()).pgid(), ps.get(childPid).pgid());
                assertEquals(ps.get((int) p.pid()).sid(), ps.get(childPid).sid());
                assertEquals((int) p.pid(), img.manifest().processTree().rootPid());
                assertEquals(2, img.manifest().processTree().processes());
                // one pipe: the parent holds its write end, the child its read end; both rows say what it held
                Map<Long, Integer> holder = img.table(Tables.FDS).stream().collect(Collectors.toMap(FdRow::fileId, FdRow::pid));
                List<PipeRow> pipes = img.table(Tables.PIPES);
                Map<Long, List<PipeRow>> byPipe = pipes.stream().collect(Collectors.groupingBy(PipeRow::pipeId));
                PipeRow readEnd = pipes.stream().filter(x -> holder.get(x.fileId()) == childPid && (x.flags() & 3) == 0).findFirst().orElseThrow();
                List<PipeRow> ends = byPipe.get(readEnd.pipeId());
                assertEquals(2, ends.size(), "both ends of the pipe share its id: " + pipes);
                PipeRow writeEnd = ends.stream().filter(x -> x != readEnd).findFirst().orElseThrow();
                assertEquals((int) p.pid(), holder.get(writeEnd.fileId()));
                assertEquals(1, writeEnd.flags() & 3);
                byte[] data = img.readAttachment(StreamImporter.pipeDataAttachment(readEnd.pipeId()));
                assertEquals(data.length, readEnd.buffered());
                assertEquals(data.length, writeEnd.buffered());
                assertEquals(0, data.length % 8);
                // the buffered numbers follow the child's last read and end at the parent's last write
                ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                long first = b.getLong(0), last = b.getLong(data.length - 8);
                assertEquals(childAtKill.last() + 1, first, "first buffered number");
                assertEquals(parentAtKill.written(), last, "last buffered number");
                assertEquals(last - first + 1, data.length / 8);
            }

            Restarter.Restarted rs = new Restarter(tools).restart(new Restarter.Request(image, null, Map.of(), List.of(), true, T));
            assertEquals(Set.of((int) p.pid(), childPid), rs.pids().keySet());
            rs.pids().values().forEach(x -> ProcessHandle.of(x).ifPresent(all::add));
            long newChild = rs.pids().get(childPid);
            assertNotEquals(childPid, newChild);
            assertEquals(rs.pid(), ProcessHandle.of(newChild).orElseThrow().parent().orElseThrow().pid(),
                    "the restored child is the restored parent's child");
            Child after = Workloads.await(T, () -> Child.read(dir), c -> c.reads() > childAtKill.reads() + inFlight + 5, "child after restart");
            assertTrue(after.inOrder(), "every number arrived exactly once and in order: " + after);
            assertEquals(childPid, after.pid(), "child's getpid() is its original pid");
            assertEquals((int) p.pid(), after.ppid(), "child's getppid() is its parent's original pid");
            Parent pAfter = Workloads.await(T, () -> Parent.read(dir), x -> x.ticks() > parentAtKill.ticks() + 45, "parent after restart");
            assertEquals((int) p.pid(), pAfter.pid(), "parent's getpid() is its original pid");
            // kill(child) and waitpid(child) by the pid fork() returned reach the restored child (the tree's pid map)
            assertTrue(pAfter.signalOk(), "kill/waitpid of the child's original pid work after restart: " + pAfter);
            long signalsAtKill = childAtKill.signals();
            Workloads.await(T, () -> Child.read(dir), c -> c.signals() > signalsAtKill + 1, "SIGUSR1 from the restored parent");
            assertTrue(after.last() > parentAtKill.written(), "the child read past the in-flight numbers into new ones");
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
            for (ProcessHandle h : all) Workloads.kill(h);
        }
    }
}
