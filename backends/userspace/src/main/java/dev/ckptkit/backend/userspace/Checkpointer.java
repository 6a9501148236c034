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
import java.util.List;
import java.util.Map;

/** Asks the libckpt.so inside a running process for a checkpoint and writes it as a .ckpt file. */
public final class Checkpointer {
    /** What to do; {@code kill} ends the process once the image is complete. */
    public record Request(int pid, Path output, boolean kill, List<String> hooks, Map<String, String> labels,
                          String capturedAt, WriterOptions writerOptions) {}

    /** {@code streamNanos}: receiving the state and writing pages; the rest of {@code nanos} is the commit (fsync). */
    public record Result(Path output, int pid, int threads, int areas, long pages, long pageBytes, long nanos, long streamNanos) {}

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

    public Result checkpoint(Request rq) throws IOException {
        Path sock = socketOf(rq.pid());
        if (!Files.exists(sock)) {
            throw new IOException("process " + rq.pid() + " has no checkpoint socket " + sock
                    + " (was it started with 'ckpt launch'?)");
        }
        long t0 = System.nanoTime();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(sock));
            } catch (IOException e) {
                throw new IOException(sock + ": cannot connect (" + e.getMessage() + "); is process " + rq.pid() + " still running?", e);
            }
            ByteBuffer req = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            req.putInt(Protocol.REQUEST_MAGIC).putInt(rq.kill() ? Protocol.REQUEST_KILL : 0).putLong(0).flip();
            while (req.hasRemaining()) ch.write(req);
            WriterOptions opts = rq.writerOptions() != null ? rq.writerOptions() : defaultOptions(rq.pid());
            StreamImporter.Result r;
            long streamed;
            try (CkptWriter w = CkptWriter.create(rq.output(), opts)) {
                r = new StreamImporter(ch, sock.toString(), w, rq.hooks(), rq.labels(), rq.capturedAt()).run();
                streamed = System.nanoTime() - t0;
                w.commit();
            }
            // closing the channel tells a --kill request that the image is safe and the process may end
            return new Result(rq.output(), r.pid(), r.threads(), r.areas(), r.pages(), r.pageBytes(), System.nanoTime() - t0, streamed);
        }
    }
}
