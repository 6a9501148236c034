package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.MountRow;
import dev.ckptkit.io.table.NamespaceRow;
import dev.ckptkit.io.table.PipeRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.ThreadRow;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The inspection views of one image (process tree, threads, memory areas, fds, sockets, mounts), read only through
 * the reader API. Every view takes a pid selection made by {@link #select}; an empty request selects every process.
 */
public final class Inspector {
    private final CkptReader reader;
    private SortedSet<Integer> pids;
    private int[] pageOwners;

    public Inspector(CkptReader reader) {
        this.reader = reader;
    }

    public CkptReader reader() { return reader; }

    /** Pids of the image: the processes table plus any pid the page index has pages for. */
    public SortedSet<Integer> pids() throws IOException {
        if (pids == null) {
            SortedSet<Integer> s = new TreeSet<>();
            for (ProcessRow p : reader.table(Tables.PROCESSES)) s.add(p.pid());
            s.addAll(pagePids(reader.pages()));
            pids = java.util.Collections.unmodifiableSortedSet(s);
        }
        return pids;
    }

    /** Distinct pids of the page index, found by jumping from range to range (no full scan). */
    static List<Integer> pagePids(PageStore ps) throws IOException {
        List<Integer> out = new ArrayList<>();
        long i = 0, n = ps.size();
        while (i < n) {
            int pid = ps.pidAt(i);
            out.add(pid);
            i = pid == Integer.MAX_VALUE ? n : ps.lowerBound(pid + 1, 0);
        }
        return out;
    }

    /** The requested pids, checked; all pids when none are requested. */
    public SortedSet<Integer> select(Collection<Integer> requested) throws IOException {
        SortedSet<Integer> all = pids();
        if (requested == null || requested.isEmpty()) return all;
        SortedSet<Integer> out = new TreeSet<>();
        for (Integer p : requested) {
            if (!all.contains(p)) throw new NotInImageException("pid " + p + " is not in the image (it has " + describe(all) + ")");
            out.add(p);
        }
        return out;
    }

    static String describe(SortedSet<Integer> all) {
        if (all.isEmpty()) return "no processes";
        String list = all.stream().limit(20).map(String::valueOf).collect(Collectors.joining(", "));
        return (all.size() == 1 ? "pid " : "pids ") + list + (all.size() > 20 ? ", ... (" + all.size() + " in all)" : "");
    }

    /** Processes in tree order (depth first, children by pid), each with its depth. */
    public List<ProcessInfo> processes(Set<Integer> sel) throws IOException {
        List<ProcessRow> rows = reader.table(Tables.PROCESSES);
        Map<Integer, ProcessRow> byPid = new TreeMap<>();
        for (ProcessRow p : rows) byPid.put(p.pid(), p);
        Map<Integer, List<Integer>> children = new TreeMap<>();
        List<Integer> roots = new ArrayList<>();
        for (ProcessRow p : byPid.values()) {
            if (p.ppid() != p.pid() && byPid.containsKey(p.ppid())) children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p.pid());
            else roots.add(p.pid());
        }
        Map<Integer, Integer> threadCounts = new HashMap<>();
        for (ThreadRow t : reader.table(Tables.THREADS)) threadCounts.merge(t.pid(), 1, Integer::sum);
        List<ProcessInfo> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int root : roots) walk(root, 0, byPid, children, threadCounts, sel, seen, out);
        return out;
    }

    private void walk(int pid, int depth, Map<Integer, ProcessRow> byPid, Map<Integer, List<Integer>> children,
                      Map<Integer, Integer> threadCounts, Set<Integer> sel, Set<Integer> seen, List<ProcessInfo> out) {
        if (!seen.add(pid)) return;  // a cycle in hostile ppid values must not loop
        ProcessRow p = byPid.get(pid);
        List<Integer> kids = children.getOrDefault(pid, List.of());
        if (sel.contains(pid)) {
            int threads = p.threads() > 0 ? p.threads() : threadCounts.getOrDefault(pid, 0);
            out.add(new ProcessInfo(p.pid(), p.ppid(), p.pgid(), p.sid(), depth, threads, p.comm(), p.exe(),
                    nz(p.cmdline()), nz(p.env()), p.uid(), p.gid(), p.state(), p.cwd(), p.root(), List.copyOf(kids)));
        }
        for (int k : kids) walk(k, depth + 1, byPid, children, threadCounts, sel, seen, out);
    }

    private static List<String> nz(List<String> l) {
        return l == null ? List.of() : l;
    }

    public List<ThreadInfo> threads(Set<Integer> sel) throws IOException {
        List<ThreadInfo> out = new ArrayList<>();
        List<ThreadRow> rows = new ArrayList<>(reader.table(Tables.THREADS));
        rows.sort(Comparator.comparingInt(ThreadRow::pid).thenComparingInt(ThreadRow::tid));
        for (ThreadRow t : rows) if (sel.contains(t.pid())) out.add(Registers.decode(t));
        return out;
    }

    /** Memory areas of the selected processes in address order, with their page counts. */
    public List<AreaInfo> areas(Set<Integer> sel) throws IOException {
        PageStore ps = reader.pages();
        Areas areas = new Areas(reader.table(Tables.MEMORY_AREAS));
        List<AreaInfo> out = new ArrayList<>();
        for (int pid : sel) {
            for (MemoryAreaRow a : areas.of(pid)) {
                out.add(new AreaInfo(a.pid(), a.start(), a.end(), a.prot(), a.flags(), a.pgoff(), a.path(), a.kind(),
                        a.dev(), a.inode(), counts(ps, pid, a.start(), a.end())));
            }
        }
        return out;
    }

    private AreaInfo.PageCounts counts(PageStore ps, int pid, long start, long end) throws IOException {
        long from = ps.lowerBound(pid, start);
        long to = Long.compareUnsigned(end, start) <= 0 ? from : ps.lowerBound(pid, end);
        long dumped = 0, zero = 0, absent = 0, shared = 0;
        int[] owners = null;
        for (long i = from; i < to; i++) {
            long page = ps.pageAt(i);
            if (page == CkptFormat.PAGE_ABSENT) {
                absent++;
                continue;
            }
            dumped++;
            if (page == CkptFormat.PAGE_ZERO) {
                zero++;
            } else {
                if (owners == null) owners = pageOwners(ps);
                if (owners.length > 0 && owners[(int) page] == SHARED) shared++;
            }
        }
        return new AreaInfo.PageCounts(dumped, zero, absent, shared);
    }

    private static final int SHARED = -1;

    /**
     * For each unique page, the one pid that references it, or SHARED when several do. One pass over the index,
     * 4 bytes per unique page; empty when the image has one process (nothing can be shared).
     */
    private int[] pageOwners(PageStore ps) throws IOException {
        if (pageOwners != null) return pageOwners;
        if (pagePids(ps).size() < 2 || ps.uniquePages() > Integer.MAX_VALUE - 8) {
            pageOwners = new int[0];
            return pageOwners;
        }
        int[] owner = new int[(int) ps.uniquePages()];
        java.util.Arrays.fill(owner, Integer.MIN_VALUE);
        for (long i = 0, n = ps.size(); i < n; i++) {
            long page = ps.pageAt(i);
            if (page < 0 || page >= owner.length) continue;
            int pid = ps.pidAt(i);
            int o = owner[(int) page];
            if (o == Integer.MIN_VALUE) owner[(int) page] = pid;
            else if (o != pid) owner[(int) page] = SHARED;
        }
        pageOwners = owner;
        return owner;
    }

    /** File descriptors of the selected processes, by pid then fd, resolved to what they point to. */
    public List<FdInfo> fds(Set<Integer> sel) throws IOException {
        Map<Long, FileRow> files = new HashMap<>();
        for (FileRow f : reader.table(Tables.FILES)) files.put(f.id(), f);
        Map<Long, PipeRow> pipes = new HashMap<>();
        for (PipeRow p : reader.table(Tables.PIPES)) pipes.put(p.fileId(), p);
        Map<Long, SocketRow> sockets = new HashMap<>();
        for (SocketRow s : reader.table(Tables.SOCKETS)) sockets.put(s.fileId(), s);
        List<FdRow> rows = new ArrayList<>(reader.table(Tables.FDS));
        rows.sort(Comparator.comparingInt(FdRow::pid).thenComparingInt(FdRow::fd));
        List<FdInfo> out = new ArrayList<>();
        for (FdRow fd : rows) {
            if (!sel.contains(fd.pid())) continue;
            FileRow f = files.get(fd.fileId());
            PipeRow pipe = pipes.get(fd.fileId());
            SocketRow sock = sockets.get(fd.fileId());
            String type = f != null ? f.type() : pipe != null ? "pipe" : sock != null ? "socket" : "unknown";
            String target;
            String detail = null;
            if (sock != null) {
                target = f != null && f.path() != null && !f.path().isEmpty() ? f.path()
                        : "socket:[" + (sock.inode() == null ? fd.fileId() : sock.inode()) + "]";
                detail = socketDetail(sock);
            } else if (pipe != null) {
                target = pipe.path() != null ? pipe.path() : "pipe:[" + pipe.pipeId() + "]";
                detail = ((pipe.flags() & 3) == 1 ? "write end" : "read end")
                        + (pipe.buffered() > 0 ? ", " + pipe.buffered() + " bytes buffered" : "");
            } else if (f != null) {
                target = f.path() == null ? f.type() + ":[" + f.id() + "]" : f.path();
            } else {
                target = "file id " + fd.fileId() + " (not in the files table)";
            }
            if (f != null && f.deleted()) detail = join(detail, "deleted" + (f.attachment() != null ? ", content in attachment " + f.attachment() : ""));
            out.add(new FdInfo(fd.pid(), fd.fd(), fd.fileId(), fd.cloexec(), type, target, f == null ? (pipe == null ? 0 : pipe.flags()) : f.flags(),
                    f == null ? null : f.pos(), f == null ? null : f.size(), f != null && f.deleted(),
                    f == null ? null : f.attachment(), detail));
        }
        return out;
    }

    private static String join(String a, String b) {
        return a == null ? b : a + "; " + b;
    }

    static String socketDetail(SocketRow s) {
        StringBuilder b = new StringBuilder();
        b.append(s.family()).append(' ').append(s.type());
        if (s.protocol() == 6) b.append(" tcp");
        else if (s.protocol() == 17) b.append(" udp");
        if (s.state() != null) b.append(' ').append(s.state());
        if (s.local() != null && !s.local().isEmpty()) b.append(' ').append(s.local());
        if (s.peer() != null && !s.peer().isEmpty()) b.append(" -> ").append(s.peer());
        return b.toString();
    }

    /** Sockets held by the selected processes (all sockets when every process is selected), with their holders. */
    public List<SocketInfo> sockets(Set<Integer> sel) throws IOException {
        Map<Long, List<String>> holders = new LinkedHashMap<>();
        Map<Long, Set<Integer>> holderPids = new HashMap<>();
        List<FdRow> fds = new ArrayList<>(reader.table(Tables.FDS));
        fds.sort(Comparator.comparingInt(FdRow::pid).thenComparingInt(FdRow::fd));
        for (FdRow fd : fds) {
            holders.computeIfAbsent(fd.fileId(), k -> new ArrayList<>()).add(fd.pid() + "/" + fd.fd());
            holderPids.computeIfAbsent(fd.fileId(), k -> new HashSet<>()).add(fd.pid());
        }
        boolean all = sel.equals(pids());
        List<SocketInfo> out = new ArrayList<>();
        for (SocketRow s : reader.table(Tables.SOCKETS)) {
            Set<Integer> hp = holderPids.getOrDefault(s.fileId(), Set.of());
            if (!all && hp.stream().noneMatch(sel::contains)) continue;
            out.add(new SocketInfo(s, List.copyOf(holders.getOrDefault(s.fileId(), List.of()))));
        }
        return out;
    }

    /**
     * Mounts in tree order (siblings by mount point). With a pid selection narrower than the image, only the mount namespaces of the selected
     * processes (when the image records namespaces).
     */
    public List<MountInfo> mounts(Set<Integer> sel) throws IOException {
        List<MountRow> rows = reader.table(Tables.MOUNTS);
        Set<Long> ns = null;
        if (!sel.equals(pids())) {
            Set<Long> s = new HashSet<>();
            for (NamespaceRow n : reader.table(Tables.NAMESPACES)) if ("mnt".equals(n.type()) && sel.contains(n.pid())) s.add(n.id());
            if (!s.isEmpty()) ns = s;
        }
        Map<Integer, List<MountRow>> children = new TreeMap<>();
        Set<Integer> ids = new HashSet<>();
        for (MountRow m : rows) ids.add(m.mountId());
        List<MountRow> roots = new ArrayList<>();
        for (MountRow m : rows) {
            if (ns != null && (m.nsId() == null || !ns.contains(m.nsId()))) continue;
            if (m.parentId() != m.mountId() && ids.contains(m.parentId())) children.computeIfAbsent(m.parentId(), k -> new ArrayList<>()).add(m);
            else roots.add(m);
        }
        Comparator<MountRow> byPoint = Comparator.comparing(m -> m.mountpoint() == null ? "" : m.mountpoint());
        roots.sort(byPoint);
        for (List<MountRow> l : children.values()) l.sort(byPoint);
        List<MountInfo> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (MountRow r : roots) walkMounts(r, 0, children, seen, out);
        return out;
    }

    private void walkMounts(MountRow m, int depth, Map<Integer, List<MountRow>> children, Set<Integer> seen, List<MountInfo> out) {
        if (!seen.add(m.mountId())) return;
        out.add(new MountInfo(m, depth));
        for (MountRow c : children.getOrDefault(m.mountId(), List.of())) walkMounts(c, depth + 1, children, seen, out);
    }
}
