package dev.ckptkit.backend.userspace;

import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.WriterOptions;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Asks the libckpt.so inside a running process, and inside every process below it that runs with the library, for
 * a checkpoint and writes them as one .ckpt file. Consistent across the tree: every process first stops all its
 * threads and says so (SUSPENDED); only then are they told to dump, and none resumes before all streams are read.
 */
public final class Checkpointer {
    /** What to do; {@code kill} ends the processes once the image is complete. */
    public record Request(int pid, Path output, boolean kill, List<String> hooks, Map<String, String> labels,
                          String capturedAt, WriterOptions writerOptions) {}

    /**
     * {@code pid}: the root's original pid; {@code pids}: every process in the image (original pids); {@code
     * skipped}: processes below the root without the library (not in the image). {@code streamNanos}: receiving
     * the state and writing pages; the rest of {@code nanos} is the commit (fsync). {@code spliced}: every process's
     * pages went from its page pipes straight into the file (PROTOCOL.md, "Piped dumps"), none through this JVM.
     */
    public record Result(Path output, int pid, int threads, int areas, long pages, long pageBytes, long nanos, long streamNanos,
                         List<Integer> pids, List<Integer> skipped, boolean spliced) {}

    public static Path socketDir() {
        String d = System.getenv("CKPT_SOCKET_DIR");
        return Path.of(d == null || d.isEmpty() ? "/tmp" : d);
    }

    /**
     * Without dedup: the process waits while its pages are written, and hashing them is most of the writer's work
     * (CRIU does not dedup a dump by default either).
     */
    public static WriterOptions defaultOptions(int pid) {
        return WriterOptions.defaults(WriterOptions.uuidFrom("userspace:" + pid + ":" + System.nanoTime())).withDedup(false);
    }

    public static Path socketOf(int pid) { return socketDir().resolve("ckpt-" + pid + ".sock"); }

    /** Waits for a just-launched process's library to open its checkpoint socket; false if it has not within {@code timeout}. */
    public static boolean awaitSocket(int pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(socketOf(pid))) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * One process's connection, after it said it stopped; {@code pipeFds}: the page pipes it offers (none: empty),
     * and {@code pipes} once opened.
     */
    private record Member(int realPid, int pid, SocketChannel ch, List<Integer> pipeFds, List<PagePipe> pipes) {
        Member withPipes(List<PagePipe> p) { return new Member(realPid, pid, ch, pipeFds, p); }
    }

    public Result checkpoint(Request rq) throws IOException {
        Path sock = socketOf(rq.pid());
        if (!Files.exists(sock)) {
            throw new IOException("process " + rq.pid() + " has no checkpoint socket " + sock
                    + " (was it started with 'ckpt launch'?)");
        }
        long t0 = System.nanoTime();
        List<Integer> skipped = new ArrayList<>();
        List<Member> members = new ArrayList<>();
        try {
            for (int pid : Descendants.of(rq.pid())) {
                SocketChannel ch = connect(pid, pid == rq.pid());
                if (ch == null) {
                    skipped.add(pid);
                    continue;
                }
                members.add(new Member(pid, 0, ch, List.of(), List.of()));
                ByteBuffer req = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                req.putInt(Protocol.REQUEST_MAGIC).putInt(Protocol.REQUEST_HOLD | (rq.kill() ? Protocol.REQUEST_KILL : 0)).putLong(0).flip();
                while (req.hasRemaining()) ch.write(req);
            }
            WriterOptions opts = rq.writerOptions() != null ? rq.writerOptions() : defaultOptions(rq.pid());
            int threads = 0, areas = 0;
            long pages = 0, streamed;
            int rootPid = 0;
            try (CkptWriter w = CkptWriter.create(rq.output(), opts)) {  // made while the processes stop their threads
                for (int i = 0; i < members.size(); i++) members.set(i, suspended(members.get(i)));
                members.sort(Comparator.comparingInt(Member::pid));  // the image lists processes by original pid
                for (int i = 0; i < members.size(); i++) {
                    Member m = members.get(i);
                    // the pages cross no buffer of ours where the writer can take blocks it does not see
                    List<PagePipe> pipes = w.pages().takesBlocks() ? PagePipe.openAll(m.realPid(), m.pipeFds()) : List.of();
                    members.set(i, m.withPipes(pipes));
                    send(m.ch(), pipes.isEmpty() ? Protocol.GO_DUMP : Protocol.GO_DUMP_PIPED);
                }
                StreamImporter imp = new StreamImporter(w, rq.hooks(), rq.labels(), rq.capturedAt());
                for (Member m : members) {
                    StreamImporter.Result r = imp.add(m.ch(), socketOf(m.realPid()).toString(), m.pipes());
                    threads += r.threads();
                    areas += r.areas();
                    pages += r.pages();
                    if (m.realPid() == rq.pid()) rootPid = r.pid();
                }
                // before they resume: both look at the live processes
                Kcmp.available().ifPresent(imp::shareOpenFiles);
                imp.describeSockets();
                if (!rq.kill()) for (Member m : members) send(m.ch(), Protocol.GO_RESUME);
                imp.finish();
                streamed = System.nanoTime() - t0;
                w.commit();
            }
            return new Result(rq.output(), rootPid, threads, areas, pages, pages * 4096, System.nanoTime() - t0, streamed,
                    members.stream().map(Member::pid).toList(), skipped, members.stream().noneMatch(m -> m.pipes().isEmpty()));
        } finally {
            // closing tells a --kill request that the image is safe and the processes may end; a failed checkpoint
            // closes before the dump, which makes every process resume
            for (Member m : members) {
                m.pipes().forEach(PagePipe::close);
                m.ch().close();
            }
        }
    }

    /** Connects to a process's library; null for a descendant without one (or one that is gone by now). */
    private static SocketChannel connect(int pid, boolean root) throws IOException {
        Path sock = socketOf(pid);
        if (!root && !Files.exists(sock)) return null;
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(sock));
            return ch;
        } catch (IOException e) {
            ch.close();
            if (!root) return null;
            throw new IOException(sock + ": cannot connect (" + e.getMessage() + "); is process " + pid + " still running?", e);
        }
    }

    /** Waits for the process to report that all its threads stopped. */
    private static Member suspended(Member m) throws IOException {
        // FrameInput reads exactly one frame's bytes from the channel: the stream that follows starts right after it
        FrameInput in = new FrameInput(m.ch(), socketOf(m.realPid()).toString());
        FrameInput.Frame f = in.next();
        if (f.type() == Protocol.ERROR) throw new IOException("process " + m.realPid() + " refused the checkpoint: " + f.string(0));
        if (f.type() != Protocol.SUSPENDED || f.payload().limit() < Protocol.SUSPENDED_SIZE) {
            throw in.corrupt(f, "expected SUSPENDED, got frame type " + f.type() + " (libckpt.so of another version?)");
        }
        ByteBuffer p = f.payload();
        boolean offered = p.limit() >= Protocol.SUSPENDED_PIPES_SIZE && p.getInt(16) > 0 && p.getInt(8) >= 0 && p.getInt(12) >= 0;
        return new Member(m.realPid(), p.getInt(0), m.ch(), offered ? List.of(p.getInt(8), p.getInt(12)) : List.of(), List.of());
    }

    private static void send(SocketChannel ch, byte b) throws IOException {
        ByteBuffer one = ByteBuffer.wrap(new byte[] {b});
        while (one.hasRemaining()) ch.write(one);
    }
}
