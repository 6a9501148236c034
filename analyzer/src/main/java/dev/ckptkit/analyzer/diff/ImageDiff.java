package dev.ckptkit.analyzer.diff;

import dev.ckptkit.analyzer.inspect.Areas;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Compares two images of (usually) the same workload: {@code a} before, {@code b} after. Structure comes from the
 * tables, memory from the page indexes and hashes; page data is read only with {@link DiffOptions#bytes()}.
 * Processes are matched by pid, threads by (pid, tid), fds by (pid, fd), mounts by mount point.
 */
public final class ImageDiff {
    private ImageDiff() {}

    public static DiffReport compare(String nameA, CkptReader a, String nameB, CkptReader b, DiffOptions options) throws IOException {
        loadBoth(a, b);
        List<Change> changes = new StructureDiff(a, b).run();
        SortedSet<Integer> pidsA = pids(a), pidsB = pids(b);
        SortedSet<Integer> common = new TreeSet<>(pidsA);
        common.retainAll(pidsB);

        Areas areasA = new Areas(a.table(Tables.MEMORY_AREAS)), areasB = new Areas(b.table(Tables.MEMORY_AREAS));
        List<Change> areaChanges = new ArrayList<>();
        for (int pid : common) AreaDiff.compare(pid, areasA.of(pid), areasB.of(pid), areaChanges);
        changes.addAll(insertAfterThreads(changes, areaChanges));

        PageDiff pages = new PageDiff(a.pages(), b.pages(), options.maxRanges(), isParentOf(a, b), isParentOf(b, a));
        ByteDiff bytes = options.bytes() ? new ByteDiff(a.pages(), b.pages(), options) : null;
        List<DiffReport.AreaPages> memory = new ArrayList<>();
        for (int pid : common) pages.compare(pid, areasA, areasB, memory, bytes);

        DiffReport.Summary s = new DiffReport.Summary(
                count(changes, Change.Category.PROCESS, Change.Kind.ADDED), count(changes, Change.Category.PROCESS, Change.Kind.REMOVED),
                count(changes, Change.Category.PROCESS, Change.Kind.CHANGED), count(changes, Change.Category.THREAD, null),
                count(changes, Change.Category.AREA, Change.Kind.ADDED), count(changes, Change.Category.AREA, Change.Kind.REMOVED),
                count(changes, Change.Category.AREA, Change.Kind.CHANGED) + count(changes, Change.Category.AREA, Change.Kind.MOVED),
                count(changes, Change.Category.FD, null), count(changes, Change.Category.SOCKET, null),
                count(changes, Change.Category.MOUNT, null), pages.compared, pages.changed, pages.added, pages.removed,
                pages.unknown, pages.changed * dev.ckptkit.spec.CkptFormat.PAGE_SIZE, bytes == null ? null : bytes.bytesChanged,
                bytes == null ? 0 : bytes.omitted);
        return new DiffReport(nameA, nameB, List.copyOf(changes), List.copyOf(memory),
                bytes == null ? List.of() : List.copyOf(bytes.ranges), pages.byHash() ? "hashes" : "bytes", s);
    }

    /** True if {@code parent} is the image {@code child} was taken against (its manifest names that UUID). */
    private static boolean isParentOf(CkptReader parent, CkptReader child) throws IOException {
        var ref = child.manifest().parent();
        return ref != null && parent.header().uuid().toString().equals(ref.uuid());
    }

    /**
     * Checks and decodes what the diff reads of both images (page index and hashes, tables) on two threads: most of a
     * diff's time is this fixed cost, not the walk.
     */
    private static void loadBoth(CkptReader a, CkptReader b) throws IOException {
        java.util.concurrent.CompletableFuture<Void> other = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                load(b);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            load(a);
        } finally {
            try {
                other.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof java.io.UncheckedIOException u) throw u.getCause();
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw e;
            }
        }
    }

    private static void load(CkptReader r) throws IOException {
        r.manifest();
        r.pages();
        for (var t : List.of(Tables.PROCESSES, Tables.THREADS, Tables.MEMORY_AREAS, Tables.FILES, Tables.FDS, Tables.SOCKETS, Tables.MOUNTS)) {
            r.table(t);
        }
    }

    /** Area changes are reported after the process and thread changes, before fds, sockets and mounts. */
    private static List<Change> insertAfterThreads(List<Change> changes, List<Change> areas) {
        int at = 0;
        for (int i = 0; i < changes.size(); i++) {
            Change.Category c = changes.get(i).category();
            if (c == Change.Category.IMAGE || c == Change.Category.PROCESS || c == Change.Category.THREAD) at = i + 1;
        }
        List<Change> tail = new ArrayList<>(changes.subList(at, changes.size()));
        changes.subList(at, changes.size()).clear();
        changes.addAll(areas);
        return tail;
    }

    private static int count(List<Change> changes, Change.Category c, Change.Kind k) {
        int n = 0;
        for (Change ch : changes) if (ch.category() == c && (k == null || ch.kind() == k)) n++;
        return n;
    }

    /** Pids of an image: the processes table plus any pid that owns pages or areas. */
    private static SortedSet<Integer> pids(CkptReader r) throws IOException {
        SortedSet<Integer> s = new TreeSet<>();
        for (ProcessRow p : r.table(Tables.PROCESSES)) s.add(p.pid());
        for (MemoryAreaRow m : r.table(Tables.MEMORY_AREAS)) s.add(m.pid());
        return s;
    }
}
