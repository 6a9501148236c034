package dev.ckptkit.analyzer.diff;

import dev.ckptkit.analyzer.inspect.Areas;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Changed pages of one process, by a merge walk of the two sorted page indexes. Pages with data are compared by
 * their stored hashes ({@link PageStore#sameHash}), so no page data is read; only when an image has no hashes are
 * the bytes compared. Zero pages compare equal to zero pages only; a page absent from either image (CRIU in_parent)
 * cannot be compared and is counted as unknown, unless the other image is the very parent it was taken against:
 * then the page is by definition the parent's page, the same.
 */
final class PageDiff {
    /** What happened to one page address. */
    enum Outcome { SAME, CHANGED, ADDED, REMOVED, UNKNOWN }

    /** Receives every changed page (both sides have data) for --bytes. */
    interface ChangedPage {
        void accept(int pid, long vaddr, long pageA, long pageB, MemoryAreaRow area) throws IOException;
    }

    private final PageStore a;
    private final PageStore b;
    private final boolean byHash;
    private final int maxRanges;
    private final boolean aIsParentOfB, bIsParentOfA;

    PageDiff(PageStore a, PageStore b, int maxRanges, boolean aIsParentOfB, boolean bIsParentOfA) {
        this.a = a;
        this.b = b;
        this.aIsParentOfB = aIsParentOfB;
        this.bIsParentOfA = bIsParentOfA;
        this.byHash = a.hashAlgorithm() != null && a.hashAlgorithm().equals(b.hashAlgorithm()) && !a.hashAlgorithm().isEmpty();
        this.maxRanges = maxRanges;
    }

    boolean byHash() { return byHash; }

    /** Per-area tallies being built; the area is null for pages outside every area. */
    private final class Tally {
        final MemoryAreaRow area;
        long changed, added, removed, unknown, omitted;
        final List<DiffReport.PageRange> ranges = new ArrayList<>();
        long runStart, runEnd;
        Outcome runKind;

        Tally(MemoryAreaRow area) { this.area = area; }

        void count(Outcome o, long va) {
            switch (o) {
                case CHANGED -> changed++;
                case ADDED -> added++;
                case REMOVED -> removed++;
                case UNKNOWN -> unknown++;
                case SAME -> { }
            }
            if (o == Outcome.SAME || o == Outcome.UNKNOWN) return;
            if (runKind == o && runEnd == va) {
                runEnd = va + CkptFormat.PAGE_SIZE;
                return;
            }
            flush();
            runKind = o;
            runStart = va;
            runEnd = va + CkptFormat.PAGE_SIZE;
        }

        void flush() {
            if (runKind == null) return;
            if (ranges.size() < maxRanges) {
                ranges.add(new DiffReport.PageRange(AreaDiff.hex(runStart), AreaDiff.hex(runEnd), (runEnd - runStart) / CkptFormat.PAGE_SIZE,
                        runKind.name().toLowerCase()));
            } else {
                omitted++;
            }
            runKind = null;
        }
    }

    /** Totals over every process compared. */
    long compared, changed, added, removed, unknown;

    /** Walks the pages of {@code pid}; adds an {@link DiffReport.AreaPages} for every area with a page changed, added or removed. */
    void compare(int pid, Areas areasA, Areas areasB, List<DiffReport.AreaPages> out, ChangedPage changedPages) throws IOException {
        long[] ra = a.range(pid), rb = b.range(pid);
        long i = ra[0], j = rb[0];
        Map<MemoryAreaRow, Tally> tallies = new LinkedHashMap<>();
        Tally outside = null;
        Tally cur = null;
        Areas curAreas = null;
        while (i < ra[1] || j < rb[1]) {
            long va = i < ra[1] ? a.vaddrAt(i) : 0, vb = j < rb[1] ? b.vaddrAt(j) : 0;
            int c = i >= ra[1] ? 1 : j >= rb[1] ? -1 : Long.compareUnsigned(va, vb);
            long addr;
            Outcome o;
            long pa = 0, pb = 0;
            if (c < 0) {
                addr = va;
                o = Outcome.REMOVED;
                i++;
            } else if (c > 0) {
                addr = vb;
                o = Outcome.ADDED;
                j++;
            } else {
                addr = va;
                pa = a.pageAt(i++);
                pb = b.pageAt(j++);
                o = outcome(pa, pb);
            }
            if (o == Outcome.SAME) {
                compared++;
                continue;
            }
            // the area from the image that has the page (B's for everything but removed pages)
            Areas areas = o == Outcome.REMOVED ? areasA : areasB;
            if (cur == null || curAreas != areas || cur.area == null || Long.compareUnsigned(addr, cur.area.start()) < 0
                    || Long.compareUnsigned(addr, cur.area.end()) >= 0) {
                MemoryAreaRow area = areas.find(pid, addr);
                if (area == null) {
                    if (outside == null) outside = new Tally(null);
                    cur = outside;
                } else {
                    cur = tallies.computeIfAbsent(area, Tally::new);
                }
                curAreas = areas;
            }
            cur.count(o, addr);
            switch (o) {
                case CHANGED -> {
                    compared++;
                    changed++;
                    if (changedPages != null) changedPages.accept(pid, addr, pa, pb, cur.area);
                }
                case ADDED -> added++;
                case REMOVED -> removed++;
                case UNKNOWN -> unknown++;
                case SAME -> { }
            }
        }
        List<Tally> all = new ArrayList<>(tallies.values());
        all.sort((p, q) -> Long.compareUnsigned(p.area.start(), q.area.start()));
        if (outside != null) all.add(outside);
        for (Tally t : all) {
            t.flush();
            if (t.changed + t.added + t.removed == 0) continue;  // only pages that cannot be compared: counted, not listed
            MemoryAreaRow r = t.area;
            out.add(new DiffReport.AreaPages(pid, r == null ? null : AreaDiff.hex(r.start()), r == null ? null : AreaDiff.hex(r.end()),
                    r == null ? "?" : Areas.label(r), t.changed, t.added, t.removed, t.unknown, List.copyOf(t.ranges), t.omitted));
        }
    }

    private Outcome outcome(long pa, long pb) throws IOException {
        if (pb == CkptFormat.PAGE_ABSENT && aIsParentOfB || pa == CkptFormat.PAGE_ABSENT && bIsParentOfA) return Outcome.SAME;
        if (pa == CkptFormat.PAGE_ABSENT || pb == CkptFormat.PAGE_ABSENT) return Outcome.UNKNOWN;
        if (pa == CkptFormat.PAGE_ZERO || pb == CkptFormat.PAGE_ZERO) return pa == pb ? Outcome.SAME : Outcome.CHANGED;
        if (byHash) return a.sameHash(pa, b, pb) ? Outcome.SAME : Outcome.CHANGED;
        MemorySegment x = a.page(pa), y = b.page(pb);
        return x.mismatch(y) == -1 ? Outcome.SAME : Outcome.CHANGED;
    }
}
