package dev.ckptkit.backend.userspace;

import dev.ckptkit.io.CorruptImageException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Reads the framed stream of libckpt.so; every length is checked before anything is allocated. */
final class FrameInput {
    private final InputStream in;
    private final String resource;
    private long offset;
    private final byte[] header = new byte[Protocol.FRAME_HEADER];
    private byte[] buf = new byte[1 << 16];

    /** One frame: its type and a little-endian view of its payload (valid until the next frame). */
    record Frame(int type, ByteBuffer payload, long offset) {
        String string(int from) {
            byte[] b = new byte[payload.limit() - from];
            payload.get(from, b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    FrameInput(InputStream in, String resource) {
        this.in = in;
        this.resource = resource;
    }

    Frame next() throws IOException {
        long at = offset;
        readFully(header, Protocol.FRAME_HEADER);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int type = h.getInt(0);
        long len = h.getLong(8);
        if (len < 0 || len > Protocol.MAX_FRAME) throw new CorruptImageException(resource, at, "frame length " + len + " out of range");
        if (buf.length < len) buf = new byte[(int) Math.max(len, buf.length * 2L)];
        readFully(buf, (int) len);
        return new Frame(type, ByteBuffer.wrap(buf, 0, (int) len).slice().order(ByteOrder.LITTLE_ENDIAN), at);
    }

    private void readFully(byte[] b, int n) throws IOException {
        int got = in.readNBytes(b, 0, n);
        offset += got;
        if (got < n) throw new CorruptImageException(resource, offset, "stream ended inside a frame", new EOFException());
    }

    CorruptImageException corrupt(Frame f, String msg) {
        return new CorruptImageException(resource, f.offset(), msg);
    }
}
