package dev.ckptkit.io;

import com.github.luben.zstd.Zstd;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.manifest.ManifestCodec;
import dev.ckptkit.io.store.ImageOutput;
import dev.ckptkit.io.table.TableCodec;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.spec.CkptFormat;
import dev.ckptkit.spec.Codec;
import dev.ckptkit.spec.Feature;
import dev.ckptkit.spec.SectionKinds;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Writes a CKPT file in one pass: header, sections in the order they are given, then the directory and tail.
 * The file is written to a temporary file beside the target (mode 0600), forced to disk (unless
 * {@link WriterOptions#sync()} is off) and renamed over the target by {@link #commit()}; closing without committing
 * leaves nothing behind.
 *
 * <p>Usage: {@code table(...)}, {@code nativeRecord(...)}, {@code attachment(...)}, {@code pages().add(...)} in any
 * order, then {@code manifest(...)} and {@code commit()}. Tables not given are written empty.
 */
public final class CkptWriter implements Closeable {
    private final Path target;
    private final Path temp;
    private final WriterOptions options;
    private final FileChannel channel;
    private final ImageOutput out;
    private final SectionOutput sections;
    private final PageStoreWriter pages;
    private final BufferAllocator allocator = new RootAllocator(1L << 30);
    private final Set<String> tablesWritten = new HashSet<>();
    private final Map<String, Long> tableRows = new LinkedHashMap<>();
    private final Set<String> attachmentNames = new HashSet<>();
    private Manifest manifest;
    private int natives;
    private boolean committed;
    private boolean closed;

    private CkptWriter(Path target, WriterOptions options) throws IOException {
        this.target = target.toAbsolutePath();
        this.options = options;
        Path dir = this.target.getParent();
        String base = "." + this.target.getFileName() + ".";
        this.temp = Files.createTempFile(dir, base, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        FileChannel ch = null;
        try {
            // no O_TRUNC (the file is new and empty): ext4 flushes a truncated-then-written file when it is closed
            // (auto_da_alloc), which would cost a --no-sync write all the write-back it means to leave to the kernel
            ch = FileChannel.open(temp, StandardOpenOption.WRITE);
            this.channel = ch;
            this.out = new ImageOutput(ch, temp, options.sync());
            this.sections = new SectionOutput(out);
            writeHeader();
            this.pages = new PageStoreWriter(sections, dir, base, options.zstdLevel(), options.threads(), options.dedup());
        } catch (IOException | RuntimeException e) {
            if (ch != null) ch.close();
            Files.deleteIfExists(temp);
            allocator.close();
            throw e;
        }
    }

    public static CkptWriter create(Path target, WriterOptions options) throws IOException {
        return new CkptWriter(target, options);
    }

    public UUID uuid() { return options.uuid(); }

    /**
     * Runs the table and manifest codecs once on no rows, on a daemon thread of its own: a writer that streams its
     * pages first and its tables last (a live checkpoint) then finds Arrow's and Jackson's code loaded, initialised
     * and linked when its tables are due, which in a JVM started for one checkpoint saves about 0.1 s after the last
     * page. Nothing is written; a failure here is the real encoding's to report.
     */
    public static void warmUpCodecs() {
        Thread.ofPlatform().daemon().name("ckpt-codec-warm-up").start(() -> {
            try (BufferAllocator a = new RootAllocator(1L << 24)) {
                for (TableCodec<?> t : Tables.STORED) t.encode(List.of(), a);
                new ManifestCodec().encode(Manifest.minimal("warm-up", null));
            } catch (IOException | RuntimeException e) {
                // only time is lost
            }
        });
    }

    private void writeHeader() throws IOException {
        long incompat = options.zstdLevel() > 0 ? Feature.ZSTD_SECTIONS.mask() : 0;
        long roCompat = options.dedup() ? Feature.PAGE_DEDUP.mask() : 0;
        ByteBuffer h = ByteBuffer.allocate(CkptFormat.HEADER_LENGTH).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.put(CkptFormat.MAGIC).putShort((short) CkptFormat.MAJOR).putShort((short) CkptFormat.MINOR)
                .putInt(CkptFormat.HEADER_LENGTH).putLong(0).putLong(roCompat).putLong(incompat)
                .putLong(options.uuid().getMostSignificantBits()).putLong(options.uuid().getLeastSignificantBits())
                .put(padded(options.writerName())).put(padded(options.writerVersion())).putInt(0);
        h.putInt(Checksums.crc32c(h.duplicate().flip()));
        out.writeBytes(h.flip());
    }

    private static byte[] padded(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > CkptFormat.NAME_FIELD_LENGTH) throw new IllegalArgumentException("'" + s + "' is longer than 32 bytes");
        return java.util.Arrays.copyOf(b, CkptFormat.NAME_FIELD_LENGTH);
    }

    /** Writes one of the common tables; each table at most once. */
    public <T extends Record> void table(TableCodec<T> table, List<T> rows) throws IOException {
        if (!tablesWritten.add(table.name())) throw new IllegalStateException("table " + table.name() + " written twice");
        writeSmall(SectionKinds.TABLE, table.name(), 0, table.encode(rows, allocator));
        tableRows.put(table.name(), (long) rows.size());
    }

    /** Keeps a backend's own record, e.g. {@code criu/core-1.img}, for exact conversion back. */
    public void nativeRecord(String name, byte[] bytes) throws IOException {
        writeSmall(SectionKinds.NATIVE, name, 0, bytes);
        natives++;
    }

    /** Carries a file in the image, split into chunks of at most 8 MiB. */
    public void attachment(String name, InputStream in) throws IOException {
        if (!attachmentNames.add(name)) throw new IllegalStateException("attachment " + name + " written twice");
        byte[] chunk = new byte[CkptFormat.ATTACHMENT_CHUNK];
        int part = 0;
        while (true) {
            int n = in.readNBytes(chunk, 0, chunk.length);
            if (n == 0 && part > 0) break;
            writeSmall(SectionKinds.ATTACHMENT, name, part++, java.util.Arrays.copyOf(chunk, n));
            if (n < chunk.length) break;
        }
    }

    public PageSink pages() { return pages; }

    /** The manifest to write at commit; its counts are filled in by the writer. */
    public void manifest(Manifest m) {
        this.manifest = m;
    }

    private void writeSmall(int kind, String name, int aux, byte[] raw) throws IOException {
        Codec codec = Codec.NONE;
        byte[] stored = raw;
        if (options.zstdLevel() > 0 && raw.length >= 64) {
            byte[] z = Zstd.compress(raw, options.zstdLevel());
            if (z.length < raw.length) {
                codec = Codec.ZSTD;
                stored = z;
            }
        }
        pages.awaitWrites();  // page blocks in flight go first: the file is written by one thread at a time
        sections.write(kind, name, aux, codec, ByteBuffer.wrap(stored), raw.length, CkptFormat.SECTION_ALIGNMENT);
    }

    /** Finishes the file and atomically puts it in place. */
    public void commit() throws IOException {
        if (committed || closed) throw new IllegalStateException("already committed or closed");
        PageStoreWriter.PageCounts pc = pages.finish();
        for (TableCodec<?> t : Tables.STORED) {
            if (!tablesWritten.contains(t.name())) table(t, List.of());
        }
        Manifest m = manifest != null ? manifest : Manifest.minimal("unknown", null);
        Map<String, Long> rows = new TreeMap<>(tableRows);
        m = m.withCounts(new Manifest.Counts(pc.pages(), pc.zeroPages(), pc.absentPages(), pc.uniquePages(),
                pc.storedBytes(), rows, natives, attachmentNames.size()));
        writeSmall(SectionKinds.MANIFEST, "manifest", 0, new ManifestCodec().encode(m));
        List<SectionInfo> dir = List.copyOf(sections.directory());
        ByteBuffer directory = SectionOutput.encodeDirectory(dir);
        SectionInfo d = sections.write(SectionKinds.DIRECTORY, "", 0, Codec.NONE, directory, directory.remaining(),
                CkptFormat.SECTION_ALIGNMENT);
        long fileLength = out.position() + CkptFormat.TAIL_LENGTH;
        out.writeLong(d.offset());
        out.writeLong(fileLength);
        out.flush();
        int fileCrc = out.fileCrc();
        ByteBuffer tail = ByteBuffer.allocate(20).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        tail.putLong(d.offset()).putLong(fileLength).putInt(fileCrc).flip();
        out.writeInt(fileCrc);
        out.writeInt(Checksums.crc32c(tail));
        out.writeBytes(CkptFormat.TAIL_MAGIC);
        out.close();
        if (options.sync()) channel.force(true);
        closeResources();
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        if (options.sync()) syncDirectory(target.getParent());
        committed = true;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not every filesystem lets a directory be opened for sync; the rename itself is still atomic
        }
    }

    private void closeResources() throws IOException {
        if (closed) return;
        closed = true;
        try {
            pages.close();
            out.finishSync();
        } finally {
            channel.close();
            allocator.close();
        }
    }

    /** Without {@link #commit()}, discards everything written. */
    @Override
    public void close() throws IOException {
        if (committed) return;
        try {
            closeResources();
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
