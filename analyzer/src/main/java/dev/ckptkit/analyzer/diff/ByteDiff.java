package dev.ckptkit.analyzer.diff;

import dev.ckptkit.analyzer.inspect.Areas;
import dev.ckptkit.analyzer.inspect.Hexdump;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * For --bytes: the runs of differing bytes inside changed pages, with hexdump lines of both sides. Runs closer than
 * {@link #JOIN} equal bytes are shown as one. Every differing byte is counted; only the first ranges are kept.
 */
final class ByteDiff implements PageDiff.ChangedPage {
    private static final int PAGE = CkptFormat.PAGE_SIZE;
    /** Runs separated by fewer equal bytes than this are reported as one range. */
    static final int JOIN = 8;

    private final PageStore a;
    private final PageStore b;
    private final DiffOptions options;
    private final byte[] pa = new byte[PAGE];
    private final byte[] pb = new byte[PAGE];
    final List<DiffReport.ByteRange> ranges = new ArrayList<>();
    long bytesChanged;
    long omitted;

    ByteDiff(PageStore a, PageStore b, DiffOptions options) {
        this.a = a;
        this.b = b;
        this.options = options;
    }

    @Override
    public void accept(int pid, long vaddr, long pageA, long pageB, MemoryAreaRow area) throws IOException {
        load(a, pageA, pa);
        load(b, pageB, pb);
        int i = 0;
        while (i < PAGE) {
            int m = java.util.Arrays.mismatch(pa, i, PAGE, pb, i, PAGE);
            if (m < 0) break;
            int start = i + m, end = start;
            // extend over differing bytes, and across short equal gaps
            int k = start;
            while (k < PAGE) {
                if (pa[k] != pb[k]) {
                    bytesChanged++;
                    end = k + 1;
                    k++;
                } else if (k - end < JOIN) {
                    k++;
                } else {
                    break;
                }
            }
            record(pid, vaddr, start, end, area);
            i = end;
        }
    }

    private void record(int pid, long vaddr, int start, int end, MemoryAreaRow area) throws IOException {
        if (ranges.size() >= options.maxByteRanges()) {
            omitted++;
            return;
        }
        int ctx = options.contextLines() * Hexdump.WIDTH;
        int from = Math.max(0, (start & -Hexdump.WIDTH) - ctx);
        int to = Math.min(PAGE, ((end + Hexdump.WIDTH - 1) & -Hexdump.WIDTH) + ctx);
        ranges.add(new DiffReport.ByteRange(pid, AreaDiff.hex(vaddr + start), end - start, Areas.label(area),
                lines(vaddr + from, pa, from, to), lines(vaddr + from, pb, from, to)));
    }

    private static List<String> lines(long address, byte[] page, int from, int to) throws IOException {
        List<String> out = new ArrayList<>();
        Hexdump.lines(address, java.util.Arrays.copyOfRange(page, from, to), l -> out.add(l.text()));
        return out;
    }

    private static void load(PageStore s, long ordinal, byte[] dst) throws IOException {
        if (ordinal == CkptFormat.PAGE_ZERO) {
            java.util.Arrays.fill(dst, (byte) 0);
        } else {
            MemorySegment.copy(s.page(ordinal), ValueLayout.JAVA_BYTE, 0, dst, 0, PAGE);
        }
    }
}
