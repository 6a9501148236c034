package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.table.MemoryAreaRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The memory areas of every process, sorted, for finding the area that owns an address. */
public final class Areas {
    private final Map<Integer, List<MemoryAreaRow>> byPid = new HashMap<>();

    public Areas(List<MemoryAreaRow> rows) {
        for (MemoryAreaRow r : rows) byPid.computeIfAbsent(r.pid(), k -> new ArrayList<>()).add(r);
        for (List<MemoryAreaRow> l : byPid.values()) l.sort(Comparator.comparing(MemoryAreaRow::start, Long::compareUnsigned));
    }

    public List<MemoryAreaRow> of(int pid) {
        return byPid.getOrDefault(pid, List.of());
    }

    /** The area of {@code pid} holding {@code addr}, or null. */
    public MemoryAreaRow find(int pid, long addr) {
        return search(of(pid), addr);
    }

    private static MemoryAreaRow search(List<MemoryAreaRow> l, long addr) {
        int lo = 0, hi = l.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            MemoryAreaRow a = l.get(mid);
            if (Long.compareUnsigned(addr, a.start()) < 0) hi = mid - 1;
            else if (Long.compareUnsigned(addr, a.end()) >= 0) lo = mid + 1;
            else return a;
        }
        return null;
    }

    /** Finds areas of one process for ascending addresses, remembering the last one found. */
    public final class Cursor {
        private final List<MemoryAreaRow> list;
        private MemoryAreaRow last;

        private Cursor(List<MemoryAreaRow> list) {
            this.list = list;
        }

        public MemoryAreaRow find(long addr) {
            MemoryAreaRow l = last;
            if (l != null && Long.compareUnsigned(addr, l.start()) >= 0 && Long.compareUnsigned(addr, l.end()) < 0) return l;
            MemoryAreaRow a = search(list, addr);
            if (a != null) last = a;
            return a;
        }
    }

    public Cursor cursor(int pid) {
        return new Cursor(of(pid));
    }

    /** Short label of an area for one-line output: its path, or its kind in brackets. */
    public static String label(MemoryAreaRow a) {
        return a == null ? "?" : label(a.path(), a.kind());
    }

    static String label(String path, String kind) {
        if (path != null && !path.isEmpty()) return path;
        return "[" + (kind == null || kind.isEmpty() ? "anon" : kind) + "]";
    }
}
