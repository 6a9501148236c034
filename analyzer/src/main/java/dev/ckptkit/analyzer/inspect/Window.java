package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.PageStore;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Contiguous dumped memory of one process, copied into a reusable buffer: some pages before the piece being
 * scanned (for context), the piece, and pages after it pulled in on demand ({@link #extend()}) so that strings and
 * matches that start in the piece can run across page and piece boundaries. Never crosses a gap, an absent page
 * or a process boundary. One window per worker thread.
 */
public final class Window {
    static final int PAGE = CkptFormat.PAGE_SIZE;

    private final PageStore pages;
    private final int maxBytes;
    private byte[] buf = new byte[(Pieces.MAX_PAGES + 2) * PAGE];
    private int pid;
    private long base;
    private int start, end, length;
    private long nextEntry, endEntry;

    /** @param maxBytes how far the buffer may grow (piece plus look-behind plus extension) */
    Window(PageStore pages, int maxBytes) {
        this.pages = pages;
        this.maxBytes = Math.max(maxBytes, buf.length);
    }

    /** Loads a piece and up to {@code lookbehindPages} contiguous pages before it. */
    void load(Pieces.Piece p, int lookbehindPages) throws IOException {
        pid = p.pid();
        long first = p.firstEntry();
        int back = 0;
        while (back < lookbehindPages && first - back - 1 >= p.pidFrom()) {
            long e = first - back - 1;
            if (pages.pageAt(e) == CkptFormat.PAGE_ABSENT || pages.vaddrAt(e) != p.vaddr() - (long) (back + 1) * PAGE) break;
            back++;
        }
        base = p.vaddr() - (long) back * PAGE;
        length = 0;
        ensureCapacity((back + p.pages() + 1) * PAGE);
        for (long e = first - back; e < first + p.pages(); e++) copyPage(e);
        start = back * PAGE;
        end = length;
        nextEntry = first + p.pages();
        endEntry = p.pidTo();
    }

    private void copyPage(long entry) throws IOException {
        long page = pages.pageAt(entry);
        if (page == CkptFormat.PAGE_ZERO) Arrays.fill(buf, length, length + PAGE, (byte) 0);
        else MemorySegment.copy(pages.page(page), ValueLayout.JAVA_BYTE, 0, buf, length, PAGE);
        length += PAGE;
    }

    private void ensureCapacity(int n) {
        if (n > buf.length) buf = Arrays.copyOf(buf, Math.max(n, buf.length + buf.length / 2));
    }

    /** Appends the next page if it directly follows in the same process; false at a gap or the growth limit. */
    public boolean extend() throws IOException {
        if (nextEntry >= endEntry || length + PAGE > maxBytes) return false;
        if (pages.pageAt(nextEntry) == CkptFormat.PAGE_ABSENT || pages.vaddrAt(nextEntry) != base + length) return false;
        ensureCapacity(length + PAGE);
        copyPage(nextEntry++);
        return true;
    }

    /** Extends until at least {@code n} bytes are loaded or no more contiguous pages follow. */
    public boolean ensure(int n) throws IOException {
        while (length < n) if (!extend()) return false;
        return true;
    }

    public byte[] bytes() { return buf; }

    public int pid() { return pid; }

    /** Address of {@code bytes()[0]}. */
    public long base() { return base; }

    /** Offset of the first byte of the piece; hits must start in [start, end). */
    public int start() { return start; }

    public int end() { return end; }

    /** Valid bytes in the buffer. */
    public int length() { return length; }
}
