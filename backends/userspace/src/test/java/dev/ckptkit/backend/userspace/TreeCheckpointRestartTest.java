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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A parent and a forked child connected by a pipe and a unix socketpair (src/test/c/pipetree.c), with sequence
 * numbers in flight both ways, are checkpointed as one tree, killed, and restarted: both go on, with their original
 * pids, and each reads every number exactly once and in order, the in-flight ones included. With "exec" the child is
 * a fork+exec child (libckpt.so through the inherited LD_PRELOAD) with a grandchild of its own: three levels.
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

    /** OUTDIR/parent: ticks last-written pid ppid kill-and-waitpid-ok socket-reads socket-last socket-in-order. */
    record Parent(long ticks, long written, int pid, int ppid, boolean signalOk, long socketReads, long socketLast, boolean socketInOrder) {
        static Parent read(Path dir) throws IOException {
            long[] v = Workloads.fields(dir.resolve("parent"), 8);
            return v == null ? null : new Parent(v[0], v[1], (int) v[2], (int) v[3], v[4] == 1, v[5], v[6], v[7] == 1);
        }
    }

    /** OUTDIR/child: reads last-read in-order pid ppid SIGUSR1-received. */
    record Child(long reads, long last, boolean inOrder, int pid, int ppid, long signals) {
        static Child read(Path dir) throws IOException {
            long[] v = Workloads.fields(dir.resolve("child"), 6);
            return v == null ? null : new Child(v[0], v[1], v[2] == 1, (int) v[3], (int) v[4], v[5]);
        }
    }


    /** OUTDIR/grandchild: ticks pid ppid. */
    record Grandchild(long ticks, int pid, int ppid) {
        static Grandchild read(Path dir) throws IOException {
            long[] v = Workloads.fields(dir.resolve("grandchild"), 3);
            return v == null ? null : new Grandchild(v[0], (int) v[1], (int) v[2]);
        }
    }

    @ParameterizedTest(name = "exec child: {0}")
    @ValueSource(booleans = {false, true})
    void treeWithPipeDataSurvivesKillAndRestart(boolean exec, @TempDir Path dir) throws Exception {
        Path image = dir.resolve("tree.ckpt");
        Process p = null;
        List<ProcessHandle> all = new ArrayList<>();
        try {
            p = exec ? Workloads.launch(tools, dir, pipetree, dir.toString(), "exec") : Workloads.launch(tools, dir, pipetree, dir.toString());
            final int rootPid = (int) p.pid();
            Workloads.awaitSocket(p.pid(), T);
            Child c0 = Workloads.await(T, () -> Child.read(dir), c -> c.reads() >= 10, "child");
            int childPid = c0.pid();
            all.add(p.toHandle());
            ProcessHandle.of(childPid).ifPresent(all::add);
            Workloads.awaitSocket(childPid, T);
            int grandchildPid = exec ? Workloads.await(T, () -> Grandchild.read(dir), g -> g.ticks() > 2, "grandchild").pid() : 0;
            if (exec) {
                ProcessHandle.of(grandchildPid).ifPresent(all::add);
                Workloads.awaitSocket(grandchildPid, T);
            }
            Set<Integer> tree = exec ? Set.of(rootPid, childPid, grandchildPid) : Set.of(rootPid, childPid);
            Workloads.await(T, () -> Parent.read(dir), x -> x.written() > c0.last() + 20, "bytes in flight");

            var r = new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), image, true, List.of(), Map.of(), null, null));
            assertEquals(tree, Set.copyOf(r.pids()), "every process of the tree in the image");
            assertEquals(tree.size(), r.pids().size());
            for (ProcessHandle h : all) assertTrue(Workloads.awaitExit(h, T), "--kill ends every process of the tree");
            Parent parentAtKill = Parent.read(dir);
            Child childAtKill = Child.read(dir);
            Grandchild grandAtKill = exec ? Grandchild.read(dir) : null;
            long inFlight = parentAtKill.written() - childAtKill.last();
            long socketQueued;
            assertTrue(inFlight > 0, "numbers in flight at checkpoint time: " + parentAtKill + " / " + childAtKill);

            try (CkptReader img = CkptReader.open(image)) {
                assertTrue(img.verify().ok());
                Map<Integer, ProcessRow> ps = img.table(Tables.PROCESSES).stream().collect(Collectors.toMap(ProcessRow::pid, x -> x));
                assertEquals(tree, ps.keySet());
                if (exec) {
                    assertEquals(childPid, ps.get(grandchildPid).ppid(), "the grandchild's parent is the exec'd child");
                    assertTrue(ps.get(childPid).cmdline().contains("--child"), "the child runs the exec'd command line: " + ps.get(childPid).cmdline());
                }
                assertEquals((int) p.pid(), ps.get(childPid).ppid(), "the child's parent is the launched program");
                assertEquals(ps.get((int) p.pid()).pgid(), ps.get(childPid).pgid());
                assertEquals(ps.get((int) p.pid()).sid(), ps.get(childPid).sid());
                assertEquals((int) p.pid(), img.manifest().processTree().rootPid());
                assertEquals(tree.size(), img.manifest().processTree().processes());
                // one pipe: the parent holds its write end, the child its read end; both rows say what it held
                // (the stdio the parent passed on is one files row for both: a description shared across fork)
                Map<Long, Integer> holder = img.table(Tables.FDS).stream().collect(Collectors.toMap(FdRow::fileId, FdRow::pid, (a, b) -> a));
                List<PipeRow> pipes = img.table(Tables.PIPES);
                Map<Long, List<PipeRow>> byPipe = pipes.stream().collect(Collectors.groupingBy(PipeRow::pipeId));
                PipeRow readEnd = pipes.stream().filter(x -> holder.get(x.fileId()) == childPid && (x.flags() & 3) == 0).findFirst().orElseThrow();
                List<PipeRow> ends = byPipe.get(readEnd.pipeId());
                // (the grandchild inherited a read end too)
                assertEquals(exec ? 3 : 2, ends.size(), "every end of the pipe shares its id: " + pipes);
                PipeRow writeEnd = ends.stream().filter(x -> (x.flags() & 3) == 1).findFirst().orElseThrow();
                assertEquals((int) p.pid(), holder.get(writeEnd.fileId()));
                assertEquals(1, writeEnd.flags() & 3);
                byte[] data = img.readAttachment(StreamImporter.pipeDataAttachment(readEnd.pipeId()));
                assertEquals(data.length, readEnd.buffered());
                for (PipeRow e : ends) assertEquals(data.length, e.buffered());
                assertEquals(0, data.length % 8);
                // the buffered numbers follow the child's last read and end at the parent's last write
                ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                long first = b.getLong(0), last = b.getLong(data.length - 8);
                assertEquals(childAtKill.last() + 1, first, "first buffered number");
                assertEquals(parentAtKill.written(), last, "last buffered number");
                assertEquals(last - first + 1, data.length / 8);

                // the socketpair: each end names the other as its peer; the parent's queue holds the child's numbers
                Map<Long, dev.ckptkit.io.table.SocketRow> socks = img.table(Tables.SOCKETS).stream()
                        .collect(Collectors.toMap(dev.ckptkit.io.table.SocketRow::fileId, x -> x));
                var parentSock = socks.values().stream().filter(x -> holder.get(x.fileId()) == rootPid && "unix".equals(x.family())).findFirst().orElseThrow();
                var childSock = socks.values().stream().filter(x -> holder.get(x.fileId()) == childPid && "unix".equals(x.family())).findFirst().orElseThrow();
                assertEquals(childSock.inode(), parentSock.peerInode(), "peer of the parent's end");
                assertEquals(parentSock.inode(), childSock.peerInode(), "peer of the child's end");
                ByteBuffer q = ByteBuffer.wrap(img.readAttachment(StreamImporter.socketDataAttachment(parentSock.inode()))).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer values = ByteBuffer.allocate(q.capacity()).order(ByteOrder.LITTLE_ENDIAN);
                while (q.remaining() >= 4) {  // records {u32 length, bytes}: for a stream socket, chunks of the byte stream
                    int n = q.getInt();
                    values.put(q.slice(q.position(), n));
                    q.position(q.position() + n);
                }
                values.flip();
                assertTrue(values.remaining() >= 16 && values.remaining() % 8 == 0, "numbers queued in the parent's socket: " + values.remaining() + " bytes");
                assertEquals(parentAtKill.socketLast() + 1, values.getLong(0), "first queued number follows the parent's last read");
                assertEquals(childAtKill.reads(), values.getLong(values.remaining() - 8), "last queued number is the child's last send");
                socketQueued = values.remaining() / 8;
            }

            Restarter.Restarted rs = new Restarter(tools).restart(new Restarter.Request(image, null, Map.of(), List.of(), true, T));
            assertEquals(tree, rs.pids().keySet());
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
            long queued = socketQueued;
            Parent pSock = Workloads.await(T, () -> Parent.read(dir), x -> x.socketReads() > parentAtKill.socketReads() + queued + 2, "socket reads after restart");
            assertTrue(pSock.socketInOrder(), "every number on the socketpair arrived exactly once and in order: " + pSock);
            assertTrue(pSock.socketLast() > childAtKill.reads(), "the parent read past the queued numbers into new ones: " + pSock);
            if (exec) {
                long gAtKill = grandAtKill.ticks();
                Grandchild g = Workloads.await(T, () -> Grandchild.read(dir), x -> x.ticks() > gAtKill + 3, "grandchild after restart");
                assertEquals(grandchildPid, g.pid(), "grandchild's getpid() is its original pid");
                assertEquals(childPid, g.ppid(), "grandchild's getppid() is the exec'd child's original pid");
                assertEquals(newChild, ProcessHandle.of(rs.pids().get(grandchildPid)).orElseThrow().parent().orElseThrow().pid(),
                        "the restored grandchild is the restored child's child");
            }
            long signalsAtKill = childAtKill.signals();
            Workloads.await(T, () -> Child.read(dir), c -> c.signals() > signalsAtKill + 1, "SIGUSR1 from the restored parent");
            assertTrue(after.last() > parentAtKill.written(), "the child read past the in-flight numbers into new ones");
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
            for (ProcessHandle h : all) Workloads.kill(h);
        }
    }
}
