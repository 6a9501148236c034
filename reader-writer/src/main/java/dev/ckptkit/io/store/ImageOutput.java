package dev.ckptkit.io.store;

import dev.ckptkit.io.SplicedBytes;
import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.ckptkit.io.Checksums.crc32c;
import static dev.ckptkit.io.Checksums.crc32cCombine;

/**
 * Append-only, little-endian output to a file channel that keeps the CRC32C of every byte written,
 * so the whole-file checksum costs no second pass.
 *
 * <p>Every {@value #SYNC_AHEAD_BYTES} bytes it syncs what is written so far and drops it from the page cache, on a
 * thread of its own ({@link WriteBehind}), so that the disk works while the writer's threads hash and compress, and the final force
 * of a durable commit finds little left to write. {@link #finishSync()} reports a failed background write-back.
 */
public final class ImageOutput implements Closeable {
    static final long SYNC_AHEAD_BYTES = 16L << 20;

    private final FileChannel channel;
    private final Path file;
    private final boolean syncAhead;
    private WriteBehind writeBehind;
    private ExecutorService syncer;
    private Future<?> syncing;
    private long syncedUpTo;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    /** A write descriptor of {@code file} for {@link #writeFrom}, opened on first use; -1 before. */
    private int spliceFd = -1;
    /** CRC32C of every byte written (flushed) so far. */
    private int fileCrc;
    private long position;

    /** {@code file}: the path {@code channel} writes, for dropping synced stretches from the page cache (null: sync only). */
    public ImageOutput(FileChannel channel, Path file) {
        this(channel, file, true);
    }

    /** {@code syncAhead} false: no background write-back, for output that is not made durable (the kernel writes it back). */
    public ImageOutput(FileChannel channel, Path file, boolean syncAhead) {
        this.channel = channel;
        this.file = file;
        this.syncAhead = syncAhead;
    }

    public long position() { return position; }

    /** CRC32C of every byte written so far (after {@link #flush()}). */
    public int fileCrc() { return fileCrc; }

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
        if (isBlock(src)) {
            writeBlock(src, crc32c(src));
            return;
        }
        while (src.hasRemaining()) {
            ensure(1);
            int n = Math.min(src.remaining(), buf.remaining());
            ByteBuffer slice = src.slice(src.position(), n);
            buf.put(slice);
            src.position(src.position() + n);
            position += n;
        }
    }

    /** As {@link #writeBytes(ByteBuffer)} when the caller has the CRC32C of {@code src} already: not read again for it. */
    public void writeBytes(ByteBuffer src, int crcOfSrc) throws IOException {
        if (isBlock(src)) writeBlock(src, crcOfSrc);
        else writeBytes(src);
    }

    private boolean isBlock(ByteBuffer src) {
        return src.isDirect() && src.remaining() >= buf.capacity();
    }

    /** A page block: straight to the file, no copy through the buffer. */
    private void writeBlock(ByteBuffer src, int crcOfSrc) throws IOException {
        flush();
        int n = src.remaining();
        while (src.hasRemaining()) channel.write(src);
        fileCrc = crc32cCombine(fileCrc, crcOfSrc, n);
        position += n;
        syncAhead();
    }

    /** Whether {@link #writeFrom} works: the file is known and can be opened again natively (Linux). */
    public boolean takesSplices() {
        return file != null && Libc.load().isPresent();
    }

    /**
     * Appends {@code length} bytes that {@code body} writes to the file at the current position itself (e.g. with
     * splice(2)); {@code crcOfBody} is their CRC32C, which the file checksum takes on trust.
     */
    public void writeFrom(long length, int crcOfBody, SplicedBytes body) throws IOException {
        if (!takesSplices()) throw new UnsupportedOperationException("no native descriptor for " + file);
        flush();
        if (spliceFd < 0) {
            int fd = Libc.load().orElseThrow().openFd(file, Libc.O_WRONLY | Libc.O_CLOEXEC);
            if (fd < 0) throw new IOException(file + ": cannot open it again to splice into it");
            spliceFd = fd;
        }
        body.writeTo(spliceFd, position, length);
        channel.position(position + length);  // the channel's next write follows the spliced bytes
        fileCrc = crc32cCombine(fileCrc, crcOfBody, length);
        position += length;
        syncAhead();
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
        while (pad > 0) {  // up to a page before every page block: in bulk, not byte by byte
            int n = (int) Math.min(pad, ZEROS.length);
            writeBytes(ZEROS, 0, n);
            pad -= n;
        }
    }

    private static final byte[] ZEROS = new byte[4096];

    public void flush() throws IOException {
        buf.flip();
        fileCrc = crc32cCombine(fileCrc, crc32c(buf), buf.remaining());
        while (buf.hasRemaining()) channel.write(buf);
        buf.clear();
        syncAhead();
    }

    private void syncAhead() throws IOException {
        if (!syncAhead || position - syncedUpTo < SYNC_AHEAD_BYTES) return;
        if (syncing != null) {
            if (!syncing.isDone()) return;  // the disk is still busy with the last one
            awaitSync();
        }
        if (syncer == null) {
            writeBehind = WriteBehind.of(channel, file);
            syncer = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "ckpt-sync-ahead");
                t.setDaemon(true);
                return t;
            });
        }
        long from = syncedUpTo, to = position;
        WriteBehind wb = writeBehind;
        syncedUpTo = to;
        syncing = syncer.submit(() -> {
            wb.writeBack(from, to);
            return null;
        });
    }

    private void awaitSync() throws IOException {
        Future<?> f = syncing;
        syncing = null;
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while syncing");
        } catch (ExecutionException e) {
            // Linux reports a writeback error to one fsync only: it must not be lost on this thread
            throw e.getCause() instanceof IOException io ? io : new IOException("background sync failed", e.getCause());
        }
    }

    /** Waits for the background sync, throwing its error if it failed, and stops its thread. */
    public void finishSync() throws IOException {
        try {
            if (syncing != null) awaitSync();
        } finally {
            if (syncer != null) {
                // closed on the sync thread, after any write-back still running there (interrupted wait)
                WriteBehind wb = writeBehind;
                if (wb != null) syncer.execute(wb::close);
                writeBehind = null;
                syncer.shutdown();
            }
        }
    }

    private void ensure(int n) throws IOException {
        if (buf.remaining() < n) flush();
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            try {
                finishSync();
            } finally {
                if (spliceFd >= 0) Libc.load().orElseThrow().closeFd(spliceFd);
                spliceFd = -1;
            }
        }
    }
}
