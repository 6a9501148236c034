package dev.ckptkit.backend.userspace;

import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.PageSink;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Reads the framed stream of libckpt.so; every length is checked before anything is allocated. The page data of a
 * PAGES frame is not read here: {@link #pagesTo} lets the writer read it from the stream into its own buffers, so
 * a gigabyte of memory crosses the JVM with one copy.
 */
final class FrameInput {
    private final ReadableByteChannel in;
    private final String resource;
    private long offset;
    private final ByteBuffer header = ByteBuffer.allocate(Protocol.FRAME_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    /** Page data of the current PAGES frame not read yet. */
    private long unread;

    /**
     * One frame: its type, a little-endian view of its payload (valid until the next frame; for PAGES only the run
     * header, the pages follow through {@link #pagesTo}), and the payload's whole length.
     */
    record Frame(int type, ByteBuffer payload, long offset, long length) {
        String string(int from) {
            byte[] b = new byte[payload.limit() - from];
            payload.get(from, b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    FrameInput(ReadableByteChannel in, String resource) {
        this.in = in;
        this.resource = resource;
    }

    Frame next() throws IOException {
        if (unread != 0) throw new IllegalStateException("the pages of the last frame were not read");
        long at = offset;
        readFully(header.clear());
        int type = header.getInt(0);
        long len = header.getLong(8);
        if (len < 0 || len > Protocol.MAX_FRAME) throw new CorruptImageException(resource, at, "frame length " + len + " out of range");
        int now = type == Protocol.PAGES ? (int) Math.min(len, Protocol.PAGES_SIZE) : (int) len;
        if (buf.capacity() < now) buf = ByteBuffer.allocate((int) Math.max(now, buf.capacity() * 2L));
        readFully(buf.clear().limit(now));
        unread = len - now;
        return new Frame(type, buf.flip().slice().order(ByteOrder.LITTLE_ENDIAN), at, len);
    }

    /** Streams the {@code pages} pages of the current PAGES frame into {@code sink}. */
    void pagesTo(PageSink sink, Frame f, int pid, long vaddr, long pages) throws IOException {
        if (unread != pages * StreamImporter.PAGE) throw corrupt(f, "page run of " + pages + " pages in a frame of " + f.length() + " bytes");
        try {
            sink.addFrom(pid, vaddr, pages, in);
        } catch (EOFException e) {
            throw new CorruptImageException(resource, offset, "stream ended inside a frame", e);
        } catch (IllegalArgumentException | IllegalStateException e) {  // out of order: the writer says which page
            throw corrupt(f, e.getMessage());
        }
        offset += unread;
        unread = 0;
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            int n = in.read(b);
            if (n < 0) throw new CorruptImageException(resource, offset, "stream ended inside a frame", new EOFException());
            offset += n;
        }
    }

    /**
     * The process's own ERROR frame: not damage, so a plain IOException, but still one line naming the stream and
     * the offset (its text comes from the stream: a saved or hostile one can hold anything).
     */
    IOException reported(Frame f, String what) {
        String msg = f.string(0).lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
        return new IOException(resource + ": at offset " + f.offset() + ": " + what + (msg.isEmpty() ? "" : ": " + msg));
    }

    CorruptImageException corrupt(Frame f, String msg) {
        return new CorruptImageException(resource, f.offset(), msg);
    }
}
