package dev.ckptkit.analyzer.diff;

import dev.ckptkit.analyzer.diff.Change.Category;
import dev.ckptkit.analyzer.inspect.Areas;
import dev.ckptkit.io.table.MemoryAreaRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Memory areas of one process in two images. Areas are matched by start address, then by end address (a stack that
 * grew down keeps its end), then by size and backing (an area mapped elsewhere: moved); the rest were added or removed.
 */
final class AreaDiff {
    private AreaDiff() {}

    static void compare(int pid, List<MemoryAreaRow> x, List<MemoryAreaRow> y, List<Change> out) {
        List<MemoryAreaRow> restX = new ArrayList<>(x), restY = new ArrayList<>(y);
        match(restX, restY, MemoryAreaRow::start, pid, out);
        match(restX, restY, MemoryAreaRow::end, pid, out);
        for (Iterator<MemoryAreaRow> it = restX.iterator(); it.hasNext(); ) {
            MemoryAreaRow p = it.next();
            for (Iterator<MemoryAreaRow> jt = restY.iterator(); jt.hasNext(); ) {
                MemoryAreaRow q = jt.next();
                if (p.end() - p.start() == q.end() - q.start() && Objects.equals(p.path(), q.path())
                        && Objects.equals(p.kind(), q.kind()) && p.pgoff() == q.pgoff()) {
                    Fields f = fields(p, q);
                    out.add(new Change(Category.AREA, Change.Kind.MOVED, subject(pid, q), f.list()));
                    it.remove();
                    jt.remove();
                    break;
                }
            }
        }
        for (MemoryAreaRow p : restX) out.add(Change.removed(Category.AREA, subject(pid, p)));
        for (MemoryAreaRow q : restY) out.add(Change.added(Category.AREA, subject(pid, q)));
    }

    private interface Key {
        long of(MemoryAreaRow r);
    }

    private static void match(List<MemoryAreaRow> restX, List<MemoryAreaRow> restY, Key key, int pid, List<Change> out) {
        Map<Long, MemoryAreaRow> byKey = new HashMap<>();
        for (MemoryAreaRow q : restY) byKey.putIfAbsent(key.of(q), q);
        for (Iterator<MemoryAreaRow> it = restX.iterator(); it.hasNext(); ) {
            MemoryAreaRow p = it.next();
            MemoryAreaRow q = byKey.remove(key.of(p));
            if (q == null) continue;
            Fields f = fields(p, q);
            if (!f.isEmpty()) out.add(new Change(Category.AREA, Change.Kind.CHANGED, subject(pid, q), f.list()));
            it.remove();
            restY.remove(q);
        }
    }

    private static Fields fields(MemoryAreaRow p, MemoryAreaRow q) {
        Fields f = new Fields();
        if (p.start() != q.start()) f.add("start", hex(p.start()), hex(q.start()));
        if (p.end() != q.end()) f.add("end", hex(p.end()), hex(q.end()));
        if (p.end() - p.start() != q.end() - q.start()) f.add("size", Long.toString(p.end() - p.start()), Long.toString(q.end() - q.start()));
        return f.cmp("prot", prot(p), prot(q)).cmp("flags", "0x" + Integer.toHexString(p.flags()), "0x" + Integer.toHexString(q.flags()))
                .cmp("path", p.path(), q.path()).cmp("pgoff", p.pgoff(), q.pgoff()).cmp("kind", p.kind(), q.kind());
    }

    static String subject(int pid, MemoryAreaRow r) {
        return "pid " + pid + " " + hex(r.start()) + "-" + hex(r.end()) + " " + prot(r) + " " + Areas.label(r);
    }

    /** rwxp / rwxs like /proc/PID/maps. */
    static String prot(MemoryAreaRow r) {
        return ((r.prot() & 1) != 0 ? "r" : "-") + ((r.prot() & 2) != 0 ? "w" : "-") + ((r.prot() & 4) != 0 ? "x" : "-")
                + ((r.flags() & 1) != 0 ? "s" : "p");
    }

    static String hex(long v) { return "0x" + Long.toHexString(v); }
}
