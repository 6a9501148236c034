package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

/** Reads a process's memory by address through the page index, page by page, for hexdump and extract. */
public final class MemoryReader {
    private static final int PAGE = CkptFormat.PAGE_SIZE;

    private final CkptReader reader;
    private final Inspector inspector;
    private Areas areas;

    public MemoryReader(Inspector inspector) {
        this.inspector = inspector;
        this.reader = inspector.reader();
    }

    /** Receives consecutive pieces of a range; {@code dumped} is false where the image has no data (bytes are 0). */
    public interface Sink {
        void accept(long address, byte[] bytes, int off, int len, boolean dumped) throws IOException;
    }

    /**
     * Byte counts of a read: with content from the image, and filled with zeros for lack of it; {@code inParent} of
     * the missing bytes were dumped, but their content is in the parent image (an incremental image).
     */
    public record Stats(long dumped, long missing, long inParent) {}

    public Areas areas() throws IOException {
        if (areas == null) areas = new Areas(reader.table(Tables.MEMORY_AREAS));
        return areas;
    }

    /** The area of {@code pid} holding {@code addr}; a clear error when the pid or address is not in the image. */
    public MemoryAreaRow areaAt(int pid, long addr) throws IOException {
        inspector.select(List.of(pid));
        MemoryAreaRow a = areas().find(pid, addr);
        if (a == null) throw new NotInImageException("address 0x" + Long.toHexString(addr) + " is not in any memory area of pid "
                + pid + describeAreas(pid));
        return a;
    }

    /**
     * Checks that [from, to) of {@code pid} touches the image: it must overlap a memory area of the process, or,
     * for images without area tables, at least one dumped page.
     */
    public void checkRange(int pid, long from, long to) throws IOException {
        inspector.select(List.of(pid));
        if (Long.compareUnsigned(from, to) >= 0) throw new IllegalArgumentException("empty address range");
        for (MemoryAreaRow a : areas().of(pid)) {
            if (Long.compareUnsigned(a.start(), to) < 0 && Long.compareUnsigned(from, a.end()) < 0) return;
        }
        PageStore ps = reader.pages();
        long i = ps.lowerBound(pid, from & -PAGE);
        if (areas().of(pid).isEmpty() && i < ps.size() && ps.pidAt(i) == pid && Long.compareUnsigned(ps.vaddrAt(i), to) < 0) return;
        throw new NotInImageException("range 0x" + Long.toHexString(from) + "-0x" + Long.toHexString(to)
                + " is not in any memory area of pid " + pid + describeAreas(pid));
    }

    private String describeAreas(int pid) throws IOException {
        List<MemoryAreaRow> l = areas().of(pid);
        if (l.isEmpty()) return " (the image has no memory areas for it)";
        return " (its areas span 0x" + Long.toHexString(l.getFirst().start()) + "-0x" + Long.toHexString(l.getLast().end())
                + " in " + l.size() + " areas; see ckpt maps --pid " + pid + ")";
    }

    /** Streams [from, to) of {@code pid} to {@code sink}, page by page, zeros where nothing was dumped. */
    public Stats read(int pid, long from, long to, Sink sink) throws IOException {
        PageStore ps = reader.pages();
        byte[] buf = new byte[PAGE];
        long dumped = 0, missing = 0, inParent = 0;
        long a = from;
        long i = ps.lowerBound(pid, from & -PAGE);
        while (Long.compareUnsigned(a, to) < 0) {
            long page = a & -PAGE;
            long next = page + PAGE;
            int off = (int) (a - page);
            int len = (int) (Long.compareUnsigned(next, to) <= 0 || next == 0 ? next - a : to - a);
            while (i < ps.size() && ps.pidAt(i) == pid && Long.compareUnsigned(ps.vaddrAt(i), page) < 0) i++;
            boolean has = i < ps.size() && ps.pidAt(i) == pid && ps.vaddrAt(i) == page && ps.pageAt(i) != CkptFormat.PAGE_ABSENT;
            if (has && ps.pageAt(i) >= 0) {
                MemorySegment.copy(ps.page(ps.pageAt(i)), ValueLayout.JAVA_BYTE, off, buf, off, len);
            } else {
                Arrays.fill(buf, off, off + len, (byte) 0);
            }
            if (has) dumped += len;
            else missing += len;
            if (!has && i < ps.size() && ps.pidAt(i) == pid && ps.vaddrAt(i) == page) inParent += len;
            sink.accept(a, buf, off, len, has);
            a += len;
            if (a == 0) break;  // wrapped past the top of the address space
        }
        return new Stats(dumped, missing, inParent);
    }
}
