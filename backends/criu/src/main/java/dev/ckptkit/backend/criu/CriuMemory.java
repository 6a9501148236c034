package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.criu.proto.PagemapEntry;
import dev.ckptkit.backend.criu.proto.PagemapHead;
import dev.ckptkit.backend.criu.proto.VmaEntry;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.spec.CkptFormat;
import com.google.protobuf.MessageLite;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * A process's memory in CRIU form: the VMAs of mm-PID.img from the memory areas table, and pagemap-PID.img with
 * pages-N.img from the page store. Every page with data (zero pages included, as data) becomes PE_PRESENT, in runs
 * that stop at area boundaries as CRIU's do; pages the store marks absent (no data) are left out, so they read as
 * zero after a restore.
 */
final class CriuMemory {
    static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20;
    /** VMA_AREA_REGULAR and VMA_ANON_PRIVATE (criu/include/image.h); the rest are in {@link CriuTables}. */
    static final int VMA_AREA_REGULAR = 1, VMA_ANON_PRIVATE = 1 << 9;
    private static final int PROT_WRITE = 2, O_RDWR = 2;
    private static final int PAGE = Pagemap.PAGE;
    private static final int BUFFER = 1 << 20;

    private CriuMemory() {}

    /** The VMA of one area; file-backed areas refer to a regular-file entry of {@code files}. */
    static VmaEntry vma(MemoryAreaRow a, CriuFileTable files) {
        String kind = a.kind() == null ? "" : a.kind();
        String path = a.path() == null ? "" : a.path();
        boolean shared = (a.flags() & MAP_SHARED) != 0;
        int flags = a.flags();
        if ((flags & (MAP_SHARED | MAP_PRIVATE)) == 0) flags |= MAP_PRIVATE;  // tables from cores may leave this out
        VmaEntry.Builder v = VmaEntry.newBuilder().setStart(a.start()).setEnd(a.end()).setPgoff(a.pgoff()).setProt(a.prot())
                .setFd(-1).setShmid(0);
        int status;
        switch (kind) {
            case "vsyscall" -> status = CriuTables.VMA_AREA_VSYSCALL | VMA_ANON_PRIVATE;
            case "vdso" -> status = VMA_AREA_REGULAR | CriuTables.VMA_AREA_VDSO | VMA_ANON_PRIVATE;
            case "vvar" -> status = VMA_AREA_REGULAR | CriuTables.VMA_AREA_VVAR | VMA_ANON_PRIVATE;
            case "heap" -> status = VMA_AREA_REGULAR | CriuTables.VMA_AREA_HEAP | VMA_ANON_PRIVATE;
            default -> {
                boolean file = path.startsWith("/") && (flags & MAP_ANONYMOUS) == 0 && !path.startsWith("/dev/zero")
                        && !path.startsWith("/SYSV");
                if (file) {
                    status = VMA_AREA_REGULAR | (shared ? CriuTables.VMA_FILE_SHARED : CriuTables.VMA_FILE_PRIVATE);
                    v.setShmid(files.pathId(path)).setFdflags(shared && (a.prot() & PROT_WRITE) != 0 ? O_RDWR : 0);
                } else if (shared) {
                    status = VMA_AREA_REGULAR | CriuTables.VMA_ANON_SHARED;
                    v.setShmid(a.inode() != null ? a.inode() : a.start() / PAGE);
                } else {
                    status = VMA_AREA_REGULAR | VMA_ANON_PRIVATE;
                }
            }
        }
        if (kind.equals("vsyscall") || kind.equals("vdso") || kind.equals("vvar") || kind.equals("heap")) flags |= MAP_ANONYMOUS;
        return v.setFlags(flags).setStatus(status).build();
    }

    /**
     * Writes pagemap-PID.img and pages-{@code pagesId}.img for {@code pid}: the page store's entries of the process
     * in address order, present pages' bytes concatenated in pagemap order. {@code extra} adds pages the store has
     * no data for (the running kernel's vDSO for a restore, see {@link HostVdso}); empty for an export.
     */
    static void writePages(PageStore store, int pid, List<MemoryAreaRow> areas, int pagesId, Path dir,
                           NavigableMap<Long, byte[]> extra) throws IOException {
        long[] starts = areas.stream().mapToLong(MemoryAreaRow::start).sorted().toArray();
        List<MessageLite> entries = new ArrayList<>();
        entries.add(PagemapHead.newBuilder().setPagesId(pagesId).build());
        try (FileChannel ch = FileChannel.open(dir.resolve("pages-" + pagesId + ".img"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            Runs runs = new Runs(ch, starts, entries);
            long[] range = store.range(pid);
            Iterator<Map.Entry<Long, byte[]>> more = extra.entrySet().iterator();
            Map.Entry<Long, byte[]> next = more.hasNext() ? more.next() : null;
            for (long i = range[0]; i < range[1]; i++) {
                long vaddr = store.vaddrAt(i), ref = store.pageAt(i);
                for (; next != null && Long.compareUnsigned(next.getKey(), vaddr) < 0; next = more.hasNext() ? more.next() : null) {
                    runs.add(next.getKey(), MemorySegment.ofArray(next.getValue()));
                }
                if (ref == CkptFormat.PAGE_ABSENT) continue;
                if (ref == CkptFormat.PAGE_ZERO) runs.add(vaddr, null);
                else if (ref >= 0) runs.add(vaddr, store.page(ref));
                else throw new CorruptImageException("page store", i, "page of pid " + pid + " at 0x" + Long.toHexString(vaddr) + " has reference " + ref);
            }
            for (; next != null; next = more.hasNext() ? more.next() : null) runs.add(next.getKey(), MemorySegment.ofArray(next.getValue()));
            runs.finish();
        }
        ImageWriter.write(dir.resolve("pagemap-" + pid + ".img"), ImageKind.PAGEMAP, entries);
    }

    /** Pagemap runs of consecutive present pages (split at area starts, as CRIU's are) and the pages file's bytes. */
    private static final class Runs {
        private final FileChannel ch;
        private final long[] areaStarts;
        private final List<MessageLite> entries;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        private final MemorySegment bufSeg = MemorySegment.ofBuffer(buf);
        private long start, pages;

        Runs(FileChannel ch, long[] areaStarts, List<MessageLite> entries) {
            this.ch = ch;
            this.areaStarts = areaStarts;
            this.entries = entries;
        }

        /** One present page; {@code page} null for a zero page. */
        void add(long vaddr, MemorySegment page) throws IOException {
            boolean continues = pages > 0 && vaddr == start + pages * PAGE && Arrays.binarySearch(areaStarts, vaddr) < 0;
            if (!continues) {
                if (pages > 0) entries.add(run(start, pages));
                start = vaddr;
                pages = 0;
            }
            pages++;
            int at = buf.position();
            if (page == null) bufSeg.asSlice(at, PAGE).fill((byte) 0);
            else MemorySegment.copy(page, 0, bufSeg, at, PAGE);
            buf.position(at + PAGE);
            if (!buf.hasRemaining()) flush(ch, buf);
        }

        void finish() throws IOException {
            if (pages > 0) entries.add(run(start, pages));
            flush(ch, buf);
        }
    }

    private static PagemapEntry run(long vaddr, long pages) {
        // compat_nr_pages is required; CRIU writes 0 there and the count in nr_pages
        return PagemapEntry.newBuilder().setVaddr(vaddr).setCompatNrPages(0).setFlags(Pagemap.PE_PRESENT).setNrPages(pages).build();
    }

    private static void flush(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
        buf.clear();
    }
}
