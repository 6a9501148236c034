package dev.ckptkit.analyzer.diff;

import java.util.List;

/**
 * The result of comparing image {@code a} (before) with image {@code b} (after).
 *
 * @param pageComparison "hashes" when pages were compared by their stored hashes, "bytes" when an image had none
 */
public record DiffReport(String a, String b, List<Change> changes, List<AreaPages> memory, List<ByteRange> byteRanges,
                         String pageComparison, Summary summary) {

    /** True when nothing differs: no structural change and no page added, removed or changed. */
    public boolean same() {
        return changes.isEmpty() && summary.pagesChanged() == 0 && summary.pagesAdded() == 0 && summary.pagesRemoved() == 0;
    }

    /** Page differences within one memory area (or outside any, {@code area} "?"), for a pid both images have. */
    public record AreaPages(int pid, String start, String end, String area, long changed, long added, long removed,
                            long unknown, List<PageRange> ranges, long rangesOmitted) {}

    /** Consecutive pages [start, end) that all changed, were added or were removed. */
    public record PageRange(String start, String end, long pages, String kind) {}

    /** A run of changed bytes with hexdump lines of both sides (context included). */
    public record ByteRange(int pid, String address, int length, String area, List<String> before, List<String> after) {}

    /**
     * Counts. {@code bytesChanged} is exact and only known with --bytes (null otherwise);
     * {@code changedPageBytes} is 4096 per changed page.
     */
    public record Summary(int processesAdded, int processesRemoved, int processesChanged, int threadsChanged,
                          int areasAdded, int areasRemoved, int areasChanged, int fdsChanged, int socketsChanged,
                          int mountsChanged, long pagesCompared, long pagesChanged, long pagesAdded, long pagesRemoved,
                          long pagesUnknown, long changedPageBytes, Long bytesChanged, long byteRangesOmitted) {}
}
