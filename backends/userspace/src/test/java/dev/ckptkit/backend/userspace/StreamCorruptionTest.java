package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.backend.Progress;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.WriterOptions;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real libckpt.so stream, saved raw, imports; every truncation of it and hostile frame lengths give a one-line
 * CorruptImageException naming the file and offset, and leave no output behind.
 */
class StreamCorruptionTest {
    @TempDir
    static Path shared;
    static Path stream;
    static long size;

    @BeforeAll
    static void captureARealStream() throws Exception {
        NativeTools tools = NativeTools.extract();
        Path exe = Workloads.compile("counter");
        Process p = Workloads.launch(tools, shared, exe, shared.toString(), "1");
        try {
            Duration t = Duration.ofSeconds(30);
            Workloads.awaitSocket(p.pid(), t);
            Workloads.await(shared, t, s -> s.n() >= 3);
            stream = shared.resolve("raw.stream");
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                 FileChannel out = FileChannel.open(stream, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.connect(UnixDomainSocketAddress.of(Checkpointer.socketOf((int) p.pid())));
                ByteBuffer req = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                req.putInt(Protocol.REQUEST_MAGIC).putInt(0).putLong(0).flip();
                while (req.hasRemaining()) ch.write(req);
                ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                while (ch.read(buf.clear()) >= 0) out.write(buf.flip());
            }
            size = Files.size(stream);
        } finally {
            Workloads.kill(p.toHandle());
        }
    }

    @AfterAll
    static void noStrayFiles() throws IOException {
        try (var s = Files.list(shared)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "a failed import left a temporary file");
        }
    }

    @Test
    void theWholeStreamImports(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("x.ckpt");
        new UserspaceBackend().importImage(stream, context(out));
        try (CkptReader r = CkptReader.open(out)) {
            assertTrue(r.verify().ok());
            assertEquals("userspace", r.manifest().style());
            assertTrue(r.pages().size() >= 64 * 256, "the 64 MiB pattern is there");
        }
    }

    /** Every frame boundary and the bytes around it, plus seeded random offsets. */
    static List<Long> cuts() throws IOException {
        TreeSet<Long> cuts = new TreeSet<>();
        for (long at : frameOffsets()) {
            for (long d : new long[] {-1, 0, 1, 8, Protocol.FRAME_HEADER, Protocol.FRAME_HEADER + 1}) {
                if (at + d > 0 && at + d < size) cuts.add(at + d);
            }
        }
        Random r = new Random(7);
        for (int i = 0; i < 60; i++) cuts.add(1 + (long) (r.nextDouble() * (size - 1)));
        List<Long> picked = new ArrayList<>(cuts);
        // keep the run short: every tenth boundary cut beyond the first 200 (the headers at the start matter most)
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < picked.size(); i++) if (i < 200 || i % 10 == 0) out.add(picked.get(i));
        return out;
    }

    @ParameterizedTest(name = "cut at {0}")
    @MethodSource("cuts")
    void everyTruncationIsACleanError(long cut, @TempDir Path dir) throws Exception {
        Path in = dir.resolve("cut.stream");
        try (FileChannel src = FileChannel.open(stream); FileChannel dst = FileChannel.open(in, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            src.transferTo(0, cut, dst);
        }
        Path out = dir.resolve("x.ckpt");
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> new UserspaceBackend().importImage(in, context(out)));
        assertTrue(e.getMessage().startsWith(in + ": corrupt at offset "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(out));
    }

    @Test
    void hostileFrameLengthsAreRefused(@TempDir Path dir) throws Exception {
        List<Long> frames = frameOffsets();
        for (int i = 0; i < Math.min(frames.size(), 12); i++) {
            for (long len : new long[] {-1, Long.MAX_VALUE, Protocol.MAX_FRAME + 1, Integer.MAX_VALUE + 1L}) {
                Path in = dir.resolve("hostile.stream");
                Files.copy(stream, in, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel ch = FileChannel.open(in, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len), frames.get(i) + 8);
                }
                Path out = dir.resolve("x.ckpt");
                long at = frames.get(i);
                CorruptImageException e = assertThrows(CorruptImageException.class, () -> new UserspaceBackend().importImage(in, context(out)),
                        "frame at " + at + " with length " + len);
                assertTrue(e.getMessage().contains("corrupt at offset"), e.getMessage());
                assertFalse(Files.exists(out));
            }
        }
    }

    /** A page run below one already sent, and a piped dump's block in a stream without page pipes: one-line errors. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pages out of order", "page block without pipes"})
    void framesOutOfPlaceAreCleanErrors(String what, @TempDir Path dir) throws Exception {
        ByteBuffer extra;
        if (what.equals("pages out of order")) {
            extra = ByteBuffer.allocate(Protocol.FRAME_HEADER + Protocol.PAGES_SIZE + 4096).order(ByteOrder.LITTLE_ENDIAN);
            extra.putInt(Protocol.PAGES).putInt(0).putLong(Protocol.PAGES_SIZE + 4096).putLong(0x1000).putLong(1);
            extra.put(Protocol.FRAME_HEADER + Protocol.PAGES_SIZE, (byte) 1);
        } else {
            extra = ByteBuffer.allocate(Protocol.FRAME_HEADER + Protocol.PAGE_BLOCK_SIZE + 16).order(ByteOrder.LITTLE_ENDIAN);
            extra.putInt(Protocol.PAGE_BLOCK).putInt(0).putLong(Protocol.PAGE_BLOCK_SIZE + 16)
                    .putInt(1).putInt(0).putInt(0).putInt(0).putLong(0x7f0000000000L).putLong(1);
        }
        long end = frameOffsets().getLast();  // END: the extra frame goes after every page the process sent
        Path in = dir.resolve(what.replace(' ', '-') + ".stream");
        try (FileChannel src = FileChannel.open(stream); FileChannel dst = FileChannel.open(in, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            src.transferTo(0, end, dst);
            dst.write(extra.clear(), end);
            src.transferTo(end, size - end, dst.position(end + extra.capacity()));
        }
        Path out = dir.resolve("x.ckpt");
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> new UserspaceBackend().importImage(in, context(out)));
        assertTrue(e.getMessage().startsWith(in + ": corrupt at offset " + end + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(what.equals("pages out of order") ? "ascending address order" : "page pipe"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(out));
    }

    /** Where each frame starts, walking the headers of the saved stream. */
    private static List<Long> frameOffsets() throws IOException {
        List<Long> at = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(stream)) {
            ByteBuffer h = ByteBuffer.allocate(Protocol.FRAME_HEADER).order(ByteOrder.LITTLE_ENDIAN);
            long pos = 0;
            while (pos + Protocol.FRAME_HEADER <= size) {
                at.add(pos);
                ch.read(h.clear(), pos);
                pos += Protocol.FRAME_HEADER + h.getLong(8);
            }
        }
        return at;
    }

    private static ImportContext context(Path out) {
        return new ImportContext(out, WriterOptions.defaults(WriterOptions.uuidFrom("stream-test")), null, Map.of(), Progress.NONE);
    }
}
