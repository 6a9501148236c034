package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.manifest.Manifest;
import java.util.List;

/** The pages with data must fit in the target's available memory (a restore faults them all in). */
public final class MemoryRule implements Rule {
    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) throws CorruptImageException {
        if (!ctx.hasTarget()) return List.of();
        long pages = dataPages(ctx);
        if (pages < 0) return List.of();
        Manifest m = ctx.image().manifest();
        long pageSize = m != null && m.host() != null && m.host().pageSize() != null ? m.host().pageSize() : 4096;
        long need = pages * pageSize;
        Long avail = ctx.target().memAvailable();
        if (avail == null) {
            return List.of(finding("HOST_MEMORY_UNKNOWN", Severity.UNDECIDED, "target", "the target profile has no MemAvailable",
                    "make the profile with ckpt host-profile on the target"));
        }
        if (need > avail) {
            return List.of(finding("HOST_MEMORY", Severity.ERROR, "image", "the image holds " + need + " bytes of memory, the target has "
                    + avail + " available", "free memory on the target or restore on a bigger host"));
        }
        if (need > avail * 8 / 10) {
            return List.of(finding("HOST_MEMORY_TIGHT", Severity.WARNING, "image", "the image holds " + need
                    + " bytes, more than 80% of the target's " + avail + " available", "expect swapping or the OOM killer"));
        }
        return List.of();
    }

    private static long dataPages(ValidationContext ctx) throws CorruptImageException {
        if (ctx.reader() != null) {
            PageStore ps = ctx.reader().pages();
            long n = 0;
            for (long i = 0; i < ps.size(); i++) if (ps.pageAt(i) >= 0) n++;
            return n;
        }
        Manifest.Counts c = ctx.image().manifest() == null ? null : ctx.image().manifest().counts();
        return c == null ? -1 : c.pages() - c.zeroPages() - c.absentPages();
    }
}
