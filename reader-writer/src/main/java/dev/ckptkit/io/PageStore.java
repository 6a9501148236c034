package dev.ckptkit.io;

import dev.ckptkit.io.store.ImageInput;
import dev.ckptkit.spec.CkptFormat;
import dev.ckptkit.spec.Codec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reader side of the page store. The index and hashes are read in place from the mapped file (binary search,
 * O(log n), no page data touched); page contents come from mapped uncompressed blocks without a copy, or from a
 * small cache of decompressed zstd blocks. Each block's CRC is checked the first time it is used.
 */
public final class PageStore {
    private static final int ENTRY = CkptFormat.PAGE_INDEX_ENTRY;
    private static final int PAGE = CkptFormat.PAGE_SIZE;
    private static final int CACHED_BLOCKS = 8;

    private final CkptReader reader;
    private final ImageInput index;
    private final ImageInput hashes;
    private final String hashAlgorithm;
    private final int hashLength;
    private final Section.PageBlock[] blocks;
    private final long[] firstPages;
    private final long uniquePages;
    private final boolean[] verified;
    private final Map<Integer, MemorySegment> decoded = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, MemorySegment> e) {
            return size() > CACHED_BLOCKS;
        }
    };

    /** One index entry. {@code page} is a unique page ordinal, or PAGE_ZERO / PAGE_ABSENT. */
    public record Entry(int pid, int flags, long vaddr, long page) {
        public boolean zero() { return page == CkptFormat.PAGE_ZERO; }

        public boolean absent() { return page == CkptFormat.PAGE_ABSENT; }
    }

    PageStore(CkptReader reader, ImageInput file, List<Section> sections) throws CorruptImageException {
        this.reader = reader;
        Section.PageIndex idx = reader.first(Section.PageIndex.class);
        Section.PageHashes hs = reader.first(Section.PageHashes.class);
        List<Section.PageBlock> bl = new ArrayList<>();
        for (Section s : sections) if (s instanceof Section.PageBlock b) bl.add(b);
        this.blocks = bl.toArray(new Section.PageBlock[0]);
        this.firstPages = new long[blocks.length];
        long total = 0;
        for (int i = 0; i < blocks.length; i++) {
            firstPages[i] = blocks[i].firstPage();
            total += blocks[i].pages();
        }
        this.uniquePages = total;
        this.verified = new boolean[blocks.length];
        if (idx == null) {
            this.index = file.slice(0, 0);
        } else {
            if (idx.info().codec() != Codec.NONE || idx.info().storedLength() % ENTRY != 0) {
                throw file.corrupt(idx.info().offset(), "page index must be uncompressed whole entries of " + ENTRY + " bytes");
            }
            reader.stored(idx.info());
            this.index = file.slice(idx.info().payloadOffset(), idx.info().storedLength());
        }
        if (hs == null) {
            this.hashes = file.slice(0, 0);
            this.hashAlgorithm = null;
            this.hashLength = 0;
        } else {
            this.hashAlgorithm = hs.algorithm();
            this.hashLength = switch (hs.algorithm()) {
                case "sha256" -> 32;
                default -> 0;
            };
            if (hs.info().codec() != Codec.NONE || (hashLength > 0 && hs.info().storedLength() != uniquePages * hashLength)) {
                throw file.corrupt(hs.info().offset(), "page hashes: " + hs.info().storedLength() + " bytes for "
                        + uniquePages + " unique pages of " + hs.algorithm());
            }
            reader.stored(hs.info());
            this.hashes = file.slice(hs.info().payloadOffset(), hs.info().storedLength());
        }
    }

    /** Number of index entries (dumped pages, zero and absent ones included). */
    public long size() { return index.length() / ENTRY; }

    public long uniquePages() { return uniquePages; }

    /** "sha256", or null when the writer did not dedup (no page-hashes section). */
    public String hashAlgorithm() { return hashAlgorithm; }

    public Entry entry(long i) throws CorruptImageException {
        long p = i * ENTRY;
        return new Entry(index.readInt(p), index.readInt(p + 4), index.readLong(p + 8), index.readLong(p + 16));
    }

    public int pidAt(long i) throws CorruptImageException { return index.readInt(i * ENTRY); }

    public long vaddrAt(long i) throws CorruptImageException { return index.readLong(i * ENTRY + 8); }

    public long pageAt(long i) throws CorruptImageException { return index.readLong(i * ENTRY + 16); }

    /** Index of the entry for (pid, vaddr), or {@code -(insertion point) - 1} as in Arrays.binarySearch. */
    public long find(int pid, long vaddr) throws CorruptImageException {
        long lo = 0, hi = size() - 1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            int c = compare(pidAt(mid), vaddrAt(mid), pid, vaddr);
            if (c < 0) lo = mid + 1;
            else if (c > 0) hi = mid - 1;
            else return mid;
        }
        return -(lo + 1);
    }

    /** First entry with (pid, vaddr) >= the given pair. */
    public long lowerBound(int pid, long vaddr) throws CorruptImageException {
        long i = find(pid, vaddr);
        return i >= 0 ? i : -i - 1;
    }

    /** [first, end) entry range of a process. */
    public long[] range(int pid) throws CorruptImageException {
        long from = lowerBound(pid, 0);
        long to = pid == Integer.MAX_VALUE ? size() : lowerBound(pid + 1, 0);
        return new long[] {from, to};
    }

    private static int compare(int pidA, long vaA, int pidB, long vaB) {
        int c = Integer.compare(pidA, pidB);
        return c != 0 ? c : Long.compareUnsigned(vaA, vaB);
    }

    /** The 4096 bytes of unique page {@code ordinal}; valid while the reader is open. */
    public MemorySegment page(long ordinal) throws CorruptImageException {
        if (ordinal < 0 || ordinal >= uniquePages) {
            throw new CorruptImageException(reader.resource(), index.base(), "page ordinal " + ordinal + " out of range (" + uniquePages + " unique pages)");
        }
        int b = blockOf(ordinal);
        long slot = ordinal - firstPages[b];
        return block(b).asSlice(slot * PAGE, PAGE);
    }

    /**
     * Where the 4096 bytes of unique page {@code ordinal} sit in the file, or -1 when its block is compressed (the
     * page is not stored as such). Its block is checked first, by reading the file rather than through the map, so
     * that a caller that reads the bytes itself, like the restart loader, never faults the map in.
     */
    public long fileOffset(long ordinal) throws IOException {
        if (ordinal < 0 || ordinal >= uniquePages) {
            throw new CorruptImageException(reader.resource(), index.base(), "page ordinal " + ordinal + " out of range (" + uniquePages + " unique pages)");
        }
        int b = blockOf(ordinal);
        SectionInfo info = blocks[b].info();
        if (info.codec() != Codec.NONE) return -1;
        if (!verified[b]) {
            reader.checkByRead(info);
            verified[b] = true;
        }
        return info.payloadOffset() + (ordinal - firstPages[b]) * PAGE;
    }

    /**
     * Copies the content at (pid, vaddr) into {@code dst}; zero pages give zeros.
     * Returns false (dst untouched) when the image has no data for that page.
     */
    public boolean read(int pid, long vaddr, byte[] dst, int off) throws CorruptImageException {
        long i = find(pid, vaddr & -PAGE);
        if (i < 0) return false;
        long ref = pageAt(i);
        if (ref == CkptFormat.PAGE_ABSENT) return false;
        if (ref == CkptFormat.PAGE_ZERO) {
            Arrays.fill(dst, off, off + PAGE, (byte) 0);
        } else {
            MemorySegment.copy(page(ref), ValueLayout.JAVA_BYTE, 0, dst, off, PAGE);
        }
        return true;
    }

    /** Hash of unique page {@code ordinal} (see {@link #hashAlgorithm()}); null if the image has no page hashes. */
    public byte[] hash(long ordinal) throws CorruptImageException {
        return hashLength == 0 ? null : hashes.readBytes(ordinal * hashLength, hashLength);
    }

    /** True if two unique pages have the same hash, compared in place. */
    public boolean sameHash(long ordinal, PageStore other, long otherOrdinal) throws CorruptImageException {
        if (hashLength == 0 || hashLength != other.hashLength || !hashAlgorithm.equals(other.hashAlgorithm)) {
            throw new IllegalStateException("page hashes are not comparable");
        }
        return MemorySegment.mismatch(hashes.segment(), ordinal * hashLength, (ordinal + 1) * hashLength,
                other.hashes.segment(), otherOrdinal * hashLength, (otherOrdinal + 1) * hashLength) == -1;
    }

    private int blockOf(long ordinal) {
        int i = Arrays.binarySearch(firstPages, ordinal);
        return i >= 0 ? i : -i - 2;
    }

    private MemorySegment block(int b) throws CorruptImageException {
        SectionInfo info = blocks[b].info();
        if (info.codec() == Codec.NONE) {
            if (!verified[b]) {
                reader.stored(info);
                verified[b] = true;
            }
            return reader.stored0(info);
        }
        synchronized (decoded) {
            MemorySegment s = decoded.get(b);
            if (s != null) return s;
        }
        // decompress outside the lock so that threads scanning different blocks do not wait for each other
        MemorySegment fresh = MemorySegment.ofArray(reader.payload(info));
        synchronized (decoded) {
            MemorySegment s = decoded.putIfAbsent(b, fresh);
            return s != null ? s : fresh;
        }
    }

    /** Structural checks of the whole index (used by verify): sorted, unique, every reference in range. */
    void check() throws CorruptImageException {
        long n = size();
        int prevPid = 0;
        long prevVa = 0;
        for (long i = 0; i < n; i++) {
            Entry e = entry(i);
            if (i > 0 && compare(prevPid, prevVa, e.pid(), e.vaddr()) >= 0) {
                throw index.corrupt(i * ENTRY, "page index entry " + i + " is out of order");
            }
            if (e.page() >= uniquePages || e.page() < CkptFormat.PAGE_ABSENT) {
                throw index.corrupt(i * ENTRY + 16, "page index entry " + i + " refers to page " + e.page() + " of " + uniquePages);
            }
            prevPid = e.pid();
            prevVa = e.vaddr();
        }
    }
}
