package dev.ckptkit.io;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import dev.ckptkit.spec.CkptFormat;
import dev.ckptkit.spec.Codec;
import dev.ckptkit.spec.SectionKinds;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;

/**
 * The writer side of the page store, as a pipeline that keeps the heap constant:
 * pages are copied (or read straight from a file) into 1 MiB batches that worker threads hash (and test for zero);
 * the caller's thread then dedups them in order (so ordinals do not depend on thread timing), appends new pages to
 * 1 MiB blocks that the workers compress, and a writer thread writes blocks in order, so that the caller's thread
 * goes on reading pages meanwhile. Without dedup there is nothing to decide in order: the worker that scans a batch
 * packs its non-zero pages to the front and encodes the batch as a block of its own, so the pages are not copied
 * again on the caller's thread (blocks then hold up to 256 pages, fewer where a batch had zero or absent pages).
 * Index entries and hashes are spilled to temporary files and copied into their sections at the end. Batches and
 * blocks live in native memory and are recycled: a gigabyte of pages allocates nothing per page on the heap, and
 * reads and writes need no bounce copy.
 */
final class PageStoreWriter implements PageSink, AutoCloseable {
    static final int PAGES_PER_BATCH = 256;
    static final int PAGES_PER_BLOCK = 256;
    static final String HASH_ALGORITHM = "sha256";
    static final int HASH_LENGTH = 32;
    private static final int PAGE = CkptFormat.PAGE_SIZE;
    private static final int DATA = 0;

    private final SectionOutput sections;
    private final int zstdLevel;
    /** Off: no hashing, every non-zero page stored, no page-hashes section. */
    private final boolean dedupOn;
    private final ExecutorService pool;
    /** Writes encoded blocks in order; other sections wait for it ({@link #awaitWrites}), so the layout is fixed. */
    private final ExecutorService blockWriter;
    private static final int MAX_IN_FLIGHT = 4;
    private final ArrayDeque<Future<Batch>> batches = new ArrayDeque<>();
    private final ArrayDeque<Future<?>> writes = new ArrayDeque<>();
    /**
     * Batches and blocks are filled on the caller's thread and hashed or compressed on the workers. An automatic
     * arena rather than a shared one: with a shared arena every access and downcall counts in and out of its session
     * with atomic operations on one cache line that all threads share. The few buffers are recycled, so the GC frees
     * them only when the writer is gone.
     */
    private final Arena arena = Arena.ofAuto();
    /** Written or drained batches come back, from the writer thread too. */
    private final ConcurrentLinkedQueue<Batch> freeBatches = new ConcurrentLinkedQueue<>();
    /** Written blocks come back from the writer thread. */
    private final ConcurrentLinkedQueue<Block> freeBlocks = new ConcurrentLinkedQueue<>();
    /** Every block made, to close their compression contexts however the writer ends. */
    private final List<Block> allBlocks = new ArrayList<>();
    private final DedupTable dedup = new DedupTable();
    private final Spill index;
    private final Spill hashes;
    private final List<IndexRun> indexRuns = new ArrayList<>();
    private final Set<Integer> pidsSeen = new HashSet<>();

    private Batch batch;
    /** The block new unique pages are appended to; with dedup only. */
    private Block block;
    private long nextOrdinal;
    private int lastPid = -1;
    private long lastVaddr;
    private boolean anyPage;
    private long pages, zeroPages, absentPages, indexEntries;
    /** Kept by the writer thread; read after {@link #awaitWrites}. */
    private long storedBytes;
    /** Entries in batches submitted for hashing but not yet written to the index spill. */
    private long pendingEntries;

    PageStoreWriter(SectionOutput sections, Path spillDir, String spillPrefix, int zstdLevel, int threads, boolean dedup)
            throws IOException {
        this.sections = sections;
        this.zstdLevel = zstdLevel;
        this.dedupOn = dedup;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ckpt-pages");
            t.setDaemon(true);
            return t;
        });
        this.blockWriter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ckpt-page-writer");
            t.setDaemon(true);
            return t;
        });
        this.index = new Spill(Files.createTempFile(spillDir, spillPrefix, ".index"));
        this.hashes = new Spill(Files.createTempFile(spillDir, spillPrefix, ".hashes"));
        this.batch = newBatch();
        this.block = dedup ? newBlock(0) : null;  // without dedup every batch is a block of its own
    }

    private Batch newBatch() {
        Batch b = freeBatches.poll();
        if (b == null) {
            b = new Batch(arena, dedupOn ? null : zstdLevel);
            if (b.block != null) allBlocks.add(b.block);
        }
        b.n = 0;
        return b;
    }

    private Block newBlock(long first) {
        Block b = freeBlocks.poll();
        if (b == null) {
            b = new Block(arena, zstdLevel);
            allBlocks.add(b);
        }
        b.reset(first);
        return b;
    }

    @Override
    public void add(int pid, long vaddr, MemorySegment page) throws IOException {
        if (page.byteSize() != PAGE) throw new IllegalArgumentException("a page is " + PAGE + " bytes, got " + page.byteSize());
        int slot = next(pid, vaddr, DATA);
        MemorySegment.copy(page, 0, batch.data, (long) slot * PAGE, PAGE);
        if (batch.n == PAGES_PER_BATCH) submitBatch();
    }

    /** Reads the pages into the batches themselves: one copy from the page cache, not two. */
    @Override
    public void addFrom(int pid, long vaddr, long count, FileChannel ch, long position) throws IOException {
        fill(pid, vaddr, count, position, ch::read);
    }

    /** Reads the pages from a stream (e.g. a socket) into the batches themselves. */
    @Override
    public void addFrom(int pid, long vaddr, long count, ReadableByteChannel ch) throws IOException {
        fill(pid, vaddr, count, 0, (dst, at) -> ch.read(dst));
    }

    /** Reads into {@code dst} from {@code at} (a file position, or bytes read so far for a stream); -1 at the end. */
    private interface Source {
        int read(ByteBuffer dst, long at) throws IOException;
    }

    private void fill(int pid, long vaddr, long count, long start, Source source) throws IOException {
        long done = 0;
        while (done < count) {
            int first = batch.n;
            int k = (int) Math.min(count - done, PAGES_PER_BATCH - first);
            for (int i = 0; i < k; i++) next(pid, vaddr + (done + i) * PAGE, DATA);
            ByteBuffer dst = batch.data.asSlice((long) first * PAGE, (long) k * PAGE).asByteBuffer();
            long at = start + done * PAGE;
            while (dst.hasRemaining()) {
                int r = source.read(dst, at);
                if (r < 0) throw new java.io.EOFException("ends at offset " + at + ", inside the page for 0x"
                        + Long.toHexString(vaddr + (done + (dst.position() / PAGE)) * PAGE));
                at += r;
            }
            done += k;
            if (batch.n == PAGES_PER_BATCH) submitBatch();
        }
    }

    @Override
    public void addAbsent(int pid, long vaddr, int flags) throws IOException {
        if ((flags & ABSENT) == 0) throw new IllegalArgumentException("flags must include ABSENT");
        next(pid, vaddr, flags);
        if (batch.n == PAGES_PER_BATCH) submitBatch();
    }

    @Override
    public boolean takesBlocks() {
        return !dedupOn && zstdLevel == 0 && sections.takesSplices();
    }

    /** Written on the caller's thread once every page before it is in the file: the ordinals go in order. */
    @Override
    public void addBlock(int pid, List<Run> runs, int crc32c, SplicedBytes body) throws IOException {
        if (!takesBlocks()) throw new UnsupportedOperationException("blocks need a writer without dedup and compression");
        long n = 0;
        for (Run r : runs) {
            if (r.count() <= 0) throw new IllegalArgumentException("empty run at 0x" + Long.toHexString(r.vaddr()));
            // checked run by run: a sum of huge counts could wrap around below the limit
            if (r.count() > maxBlockPages() - n) throw new IllegalArgumentException("a block holds at most " + maxBlockPages() + " pages");
            n += r.count();
        }
        if (n == 0) throw new IllegalArgumentException("a block holds at least one page");
        flushPending();
        ByteBuffer entry = ByteBuffer.allocate(CkptFormat.PAGE_INDEX_ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        for (Run r : runs) {
            for (long i = 0; i < r.count(); i++) {
                long vaddr = r.vaddr() + i * PAGE;
                track(pid, vaddr);
                index.write(entry.clear().putInt(pid).putInt(DATA).putLong(vaddr).putLong(nextOrdinal++).flip());
                indexEntries++;
                pages++;
            }
        }
        storedBytes += n * PAGE;
        sections.write(SectionKinds.PAGE_BLOCK, "", 0, n * PAGE, CkptFormat.PAGE_ALIGNMENT, crc32c, body);
    }

    private int next(int pid, long vaddr, int kind) throws IOException {
        track(pid, vaddr);
        int slot = batch.n++;
        batch.pid[slot] = pid;
        batch.vaddr[slot] = vaddr;
        batch.kind[slot] = kind;
        return slot;
    }

    /** Checks that pages come grouped by pid and ascending, and opens a new run of index entries for a new pid. */
    private void track(int pid, long vaddr) {
        if ((vaddr & (PAGE - 1)) != 0) throw new IllegalArgumentException("vaddr 0x" + Long.toHexString(vaddr) + " is not page aligned");
        if (pid != lastPid || !anyPage) {
            if (!pidsSeen.add(pid)) throw new IllegalStateException("pages of pid " + pid + " must come together");
            indexRuns.add(new IndexRun(pid, indexEntries + batchedEntries()));
            lastPid = pid;
            anyPage = true;
        } else if (Long.compareUnsigned(vaddr, lastVaddr) <= 0) {
            throw new IllegalStateException("pages of pid " + pid + " must come in ascending address order: 0x"
                    + Long.toHexString(vaddr) + " after 0x" + Long.toHexString(lastVaddr));
        }
        lastVaddr = vaddr;
    }

    /** Entries accepted but not yet written to the index spill. */
    private long batchedEntries() {
        return pendingEntries + batch.n;
    }

    private void submitBatch() throws IOException {
        Batch b = batch;
        batch = newBatch();
        pendingEntries += b.n;
        batches.add(pool.submit(() -> b.scan(dedupOn)));
        while (batches.size() > MAX_IN_FLIGHT) drainBatch();
    }

    private void drainBatch() throws IOException {
        Batch b = await(batches.poll());
        pendingEntries -= b.n;
        ByteBuffer entry = ByteBuffer.allocate(CkptFormat.PAGE_INDEX_ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < b.n; i++) {
            long ref;
            int flags = b.kind[i];
            pages++;
            if (flags != DATA) {
                ref = CkptFormat.PAGE_ABSENT;
                absentPages++;
            } else if (b.zero[i]) {
                ref = CkptFormat.PAGE_ZERO;
                flags = ZERO;
                zeroPages++;
            } else if (!dedupOn) {
                ref = nextOrdinal++;  // its page is in b.block, packed and encoded by the worker
            } else {
                ref = dedup.putIfAbsent(b.hashes, i * HASH_LENGTH, nextOrdinal);
                if (ref < 0) {
                    ref = nextOrdinal++;
                    hashes.write(ByteBuffer.wrap(b.hashes, i * HASH_LENGTH, HASH_LENGTH));
                    appendToBlock(b.data, i);
                }
            }
            entry.clear();
            entry.putInt(b.pid[i]).putInt(flags).putLong(b.vaddr[i]).putLong(ref).flip();
            index.write(entry);
            indexEntries++;
        }
        if (b.block != null && b.block.n > 0) submitWrite(b.block, () -> freeBatches.add(b));
        else freeBatches.add(b);
    }

    private void appendToBlock(MemorySegment data, int slot) throws IOException {
        MemorySegment.copy(data, (long) slot * PAGE, block.raw, (long) block.n * PAGE, PAGE);
        if (++block.n == PAGES_PER_BLOCK) submitBlock();
    }

    private void submitBlock() throws IOException {
        Block b = block;
        block = newBlock(b.first + b.n);
        Future<Block> encoded = pool.submit(b::encode);
        submitWrite(encoded, () -> freeBlocks.add(b));
    }

    /** Has the writer thread write {@code block} (encoded, or to be) after the blocks before it, then run {@code recycle}. */
    private void submitWrite(Future<Block> block, Runnable recycle) throws IOException {
        writes.add(blockWriter.submit(() -> {
            writeBlock(await(block));
            recycle.run();
            return null;
        }));
        while (writes.size() > MAX_IN_FLIGHT) await(writes.poll());
    }

    private void submitWrite(Block encoded, Runnable recycle) throws IOException {
        submitWrite(CompletableFuture.completedFuture(encoded), recycle);
    }

    /** Puts every page added so far in the index and every block in the file. */
    private void flushPending() throws IOException {
        if (batch.n > 0) submitBatch();
        while (!batches.isEmpty()) drainBatch();
        if (block != null && block.n > 0) submitBlock();
        awaitWrites();
    }

    /** Waits until every block submitted so far is in the file; another section may be written after that. */
    void awaitWrites() throws IOException {
        while (!writes.isEmpty()) await(writes.poll());
    }

    /** On the writer thread. */
    private void writeBlock(Block b) throws IOException {
        int alignment = b.codec == Codec.NONE ? CkptFormat.PAGE_ALIGNMENT : CkptFormat.SECTION_ALIGNMENT;
        storedBytes += b.stored.remaining();
        sections.write(SectionKinds.PAGE_BLOCK, "", 0, b.codec, b.stored, (long) b.n * PAGE, alignment, b.crc);
    }

    /** Flushes everything and writes the page-block tail, the hashes and the sorted index. */
    PageCounts finish() throws IOException {
        flushPending();
        if (dedupOn) copy(hashes, List.of(new long[] {0, hashes.length()}), SectionKinds.PAGE_HASHES, HASH_ALGORITHM);
        List<long[]> ordered = new ArrayList<>();
        List<IndexRun> sorted = new ArrayList<>(indexRuns);
        for (int i = 0; i < sorted.size(); i++) {
            long from = sorted.get(i).firstEntry;
            long to = i + 1 < sorted.size() ? sorted.get(i + 1).firstEntry : indexEntries;
            sorted.set(i, new IndexRun(sorted.get(i).pid, from, to));
        }
        sorted.sort(Comparator.comparingInt(IndexRun::pid));
        for (IndexRun r : sorted) {
            ordered.add(new long[] {r.firstEntry * CkptFormat.PAGE_INDEX_ENTRY, (r.endEntry - r.firstEntry) * CkptFormat.PAGE_INDEX_ENTRY});
        }
        copy(index, ordered, SectionKinds.PAGE_INDEX, "");
        return new PageCounts(pages, zeroPages, absentPages, nextOrdinal, storedBytes);
    }

    record PageCounts(long pages, long zeroPages, long absentPages, long uniquePages, long storedBytes) {}

    private void copy(Spill spill, List<long[]> ranges, int kind, String name) throws IOException {
        spill.flush();
        long total = 0;
        for (long[] r : ranges) total += r[1];
        SectionOutput.Streamed s = sections.begin(kind, name, total);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        for (long[] r : ranges) {
            long pos = r[0], end = r[0] + r[1];
            while (pos < end) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                int n = spill.channel.read(buf, pos);
                if (n < 0) throw new IOException("spill file ended early");
                pos += n;
                s.write(buf.flip());
            }
        }
        s.finish();
    }

    private static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while writing pages");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("page worker failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() throws IOException {
        pool.shutdownNow();  // the batches' and blocks' memory goes with the last reference to it
        blockWriter.shutdownNow();
        try {
            pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);  // a worker may still use a context
            blockWriter.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);  // ... or the writer, the file
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Block b : allBlocks) b.close();
        dedup.close();
        index.close();
        hashes.close();
    }

    /** The index entries of one pid, which came together. */
    private record IndexRun(int pid, long firstEntry, long endEntry) {
        IndexRun(int pid, long firstEntry) { this(pid, firstEntry, -1); }
    }

    /** Pages on their way to being hashed. */
    private static final class Batch {
        final int[] pid = new int[PAGES_PER_BATCH];
        final long[] vaddr = new long[PAGES_PER_BATCH];
        final int[] kind = new int[PAGES_PER_BATCH];
        final MemorySegment data;
        final byte[] hashes = new byte[PAGES_PER_BATCH * HASH_LENGTH];
        final boolean[] zero = new boolean[PAGES_PER_BATCH];
        /** Without dedup: the batch's own memory as a block, which its non-zero pages become; else null. */
        final Block block;
        int n;

        /** {@code zstdLevel}: null with dedup (new pages go to shared blocks), else the level of the batch's own block. */
        Batch(Arena arena, Integer zstdLevel) {
            data = arena.allocate((long) PAGES_PER_BATCH * PAGE, PAGE);
            block = zstdLevel == null ? null : new Block(data, arena, zstdLevel);
        }

        /** Finds the zero pages and, with dedup, hashes the others; without, packs and encodes them as its block. */
        Batch scan(boolean hash) {
            try (PageHasher hasher = hash ? PageHasher.create() : null) {
                for (int i = 0; i < n; i++) {
                    if (kind[i] != DATA) continue;
                    MemorySegment page = data.asSlice((long) i * PAGE, PAGE);
                    zero[i] = MemorySegment.mismatch(page, 0, PAGE, ZERO_PAGE, 0, PAGE) < 0;
                    if (!zero[i] && hasher != null) hasher.hash(page, hashes, i * HASH_LENGTH);
                }
            }
            if (block != null) {
                int m = 0;
                for (int i = 0; i < n; i++) {
                    if (kind[i] != DATA || zero[i]) continue;
                    if (m != i) MemorySegment.copy(data, (long) i * PAGE, data, (long) m * PAGE, PAGE);  // m < i: slots apart
                    m++;
                }
                block.n = m;
                if (m > 0) block.encode();
            }
            return this;
        }
    }

    /** Compared against with MemorySegment.mismatch, which is vectorized. Never written. */
    private static final MemorySegment ZERO_PAGE = MemorySegment.ofArray(new byte[PAGE]);

    /** Unique pages on their way to a PAGE_BLOCK section. */
    private static final class Block {
        final MemorySegment raw;
        /** Room for the compressed block, and a compression context reused block after block; null when not compressing. */
        final ByteBuffer compressed;
        final ZstdCompressCtx zstd;
        long first;
        int n;
        Codec codec;
        ByteBuffer stored;
        int crc;

        Block(Arena arena, int level) {
            this(arena.allocate((long) PAGES_PER_BLOCK * PAGE, PAGE), arena, level);
        }

        /** A block over {@code raw}, memory of someone else's (a batch's). */
        Block(MemorySegment raw, Arena arena, int level) {
            this.raw = raw;
            this.compressed = level > 0
                    ? arena.allocate(Zstd.compressBound((long) PAGES_PER_BLOCK * PAGE), 64).asByteBuffer() : null;
            this.zstd = level > 0 ? new ZstdCompressCtx().setLevel(level) : null;
        }

        void reset(long first) {
            this.first = first;
            this.n = 0;
        }

        Block encode() {
            int len = n * PAGE;
            ByteBuffer rawBuf = raw.asSlice(0, len).asByteBuffer();
            codec = Codec.NONE;
            stored = rawBuf;
            if (zstd != null) {
                int zlen = zstd.compressDirectByteBuffer(compressed, 0, compressed.capacity(), rawBuf, 0, len);
                // keep raw pages when zstd gains under 1/8: raw blocks can be mapped without a copy
                if (zlen < len - (len >> 3)) {
                    codec = Codec.ZSTD;
                    stored = compressed.duplicate().clear().limit(zlen);
                }
            }
            CRC32C c = new CRC32C();
            c.update(stored.duplicate());
            crc = (int) c.getValue();
            return this;
        }

        void close() {
            if (zstd != null) zstd.close();
        }
    }

    /** A buffered append-only temporary file. */
    private static final class Spill implements AutoCloseable {
        final Path path;
        final FileChannel channel;
        final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        long length;

        Spill(Path path) throws IOException {
            this.path = path;
            this.channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }

        void write(ByteBuffer b) throws IOException {
            if (buf.remaining() < b.remaining()) flush();
            length += b.remaining();
            buf.put(b);
        }

        long length() { return length; }

        void flush() throws IOException {
            buf.flip();
            while (buf.hasRemaining()) channel.write(buf);
            buf.clear();
        }

        @Override
        public void close() throws IOException {
            channel.close();
            Files.deleteIfExists(path);
        }
    }
}
