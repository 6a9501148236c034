package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.MemoryAreaRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Memory areas of a process are non-empty and do not overlap (the restorer maps each at its fixed address). */
public final class AreaOverlapRule implements Rule {
    @Override public String group() { return "integrity"; }

    static String name(MemoryAreaRow a) {
        return "area pid " + a.pid() + " 0x" + Long.toHexString(a.start()) + "-0x" + Long.toHexString(a.end());
    }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        List<MemoryAreaRow> sorted = new ArrayList<>(ctx.image().areas());
        sorted.sort(Comparator.comparingInt(MemoryAreaRow::pid).thenComparing(MemoryAreaRow::start, Long::compareUnsigned));
        List<Finding> out = new ArrayList<>();
        MemoryAreaRow prev = null;
        for (MemoryAreaRow a : sorted) {
            if (Long.compareUnsigned(a.start(), a.end()) >= 0) {
                out.add(finding("AREA_EMPTY", Severity.ERROR, name(a), "memory area ends before it starts",
                        "the image is inconsistent: re-import it from the original checkpoint"));
            }
            if (prev != null && prev.pid() == a.pid() && Long.compareUnsigned(a.start(), prev.end()) < 0) {
                out.add(finding("AREA_OVERLAP", Severity.ERROR, name(a), "memory area overlaps " + name(prev),
                        "the image is inconsistent: re-import it from the original checkpoint"));
            }
            prev = a;
        }
        return out;
    }
}
