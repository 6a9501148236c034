package dev.ckptkit.io.store;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Append-only, little-endian output to a file channel that keeps the CRC32C of every byte written,
 * so the whole-file checksum costs no second pass.
 */
public final class ImageOutput implements Closeable {
    private final FileChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C fileCrc = new CRC32C();
    private long position;

    public ImageOutput(FileChannel channel) {
        this.channel = channel;
    }

    public long position() { return position; }

    /** CRC32C of every byte written so far. */
    public int fileCrc() { return (int) fileCrc.getValue(); }

    public void writeByte(int b) throws IOException {
        ensure(1);
        buf.put((byte) b);
        position++;
    }

    public void writeShort(int v) throws IOException {
        ensure(2);
        buf.putShort((short) v);
        position += 2;
    }

    public void writeInt(int v) throws IOException {
        ensure(4);
        buf.putInt(v);
        position += 4;
    }

    public void writeLong(long v) throws IOException {
        ensure(8);
        buf.putLong(v);
        position += 8;
    }

    public void writeBytes(byte[] b) throws IOException { writeBytes(b, 0, b.length); }

    public void writeBytes(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            ensure(1);
            int n = Math.min(len, buf.remaining());
            buf.put(b, off, n);
            off += n;
            len -= n;
            position += n;
        }
    }

    public void writeBytes(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            ensure(1);
            int n = Math.min(src.remaining(), buf.remaining());
            ByteBuffer slice = src.slice(src.position(), n);
            buf.put(slice);
            src.position(src.position() + n);
            position += n;
        }
    }

    public void writeBytes(MemorySegment src) throws IOException {
        writeBytes(src.asByteBuffer());
    }

    /** Writes zero bytes up to the next multiple of {@code alignment}. */
    public void padTo(int alignment) throws IOException {
        padTo(alignment, 0);
    }

    /** Writes zero bytes until {@code (position + ahead) % alignment == 0}. */
    public void padTo(int alignment, int ahead) throws IOException {
        long rem = Math.floorMod(position + ahead, alignment);
        long pad = rem == 0 ? 0 : alignment - rem;
        for (long i = 0; i < pad; i++) writeByte(0);
    }

    public void flush() throws IOException {
        buf.flip();
        fileCrc.update(buf.duplicate());
        while (buf.hasRemaining()) channel.write(buf);
        buf.clear();
    }

    private void ensure(int n) throws IOException {
        if (buf.remaining() < n) flush();
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
