package dev.ckptkit.backend.userspace;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.PipeRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.Tables;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The processes of an image in the order ckpt-loader forks them (parents first) and the pipes they share, written as
 * the tree plan {@code ckpt-loader -t} reads (PROTOCOL.md, "Tree plan").
 */
final class TreePlan {
    static final int SETSID = 1, SETPGID = 2;
    /** The tree plan's magic; 2 added the shared files and FIFOs. */
    static final String MAGIC = "CKPTTRE2";
    /** Room the loader has for the tree (MAX_TREE_PROCS, MAX_TREE_PIPES, MAX_TREE_SOCKS, SOCK_QUEUE_MAX in loader.c). */
    static final int MAX_PROCS = 256, MAX_PIPES = 256, MAX_SOCKET_PAIRS = 128, MAX_QUEUE = 1 << 20, MAX_FILES = 128,
            MAX_FIFOS = 32;

    /** One process: its index of parent in the order (-1 for the root) and what it must do about its session. */
    record Proc(ProcessRow row, int parent, int flags) {}

    private final List<Proc> procs;
    /** pipe id -> bytes buffered at checkpoint time (empty when none were saved) */
    private final Map<Long, byte[]> pipes;
    private final Set<Long> shared;
    private final List<SocketPair> socketPairs;
    /** files.id -> an open file description several descriptors hold (across fork or dup), opened once by the loader */
    private final Map<Long, FileRow> files;
    /** path -> bytes buffered at checkpoint time, of every FIFO the processes hold */
    private final Map<String, byte[]> fifos;

    /** A unix socket pair whose both ends the processes hold, with each end's receive queue (records). */
    record SocketPair(long a, long b, int type, byte[] queueA, byte[] queueB) {}

    private TreePlan(List<Proc> procs, Map<Long, byte[]> pipes, Set<Long> shared, List<SocketPair> socketPairs,
                     Map<Long, FileRow> files, Map<String, byte[]> fifos) {
        this.procs = procs;
        this.pipes = pipes;
        this.shared = shared;
        this.socketPairs = socketPairs;
        this.files = files;
        this.fifos = fifos;
    }

    /**
     * The tree rooted at {@code only} (just that process) or, when null, every process of the image: a process whose
     * parent is not in the image hangs below the root (the first such process).
     */
    static TreePlan of(CkptReader r, Integer only) throws IOException {
        List<ProcessRow> all = r.table(Tables.PROCESSES);
        if (all.isEmpty()) throw new IOException(r.path() + ": the image holds no process");
        List<ProcessRow> chosen = only == null ? all : all.stream().filter(p -> p.pid() == only).toList();
        if (chosen.isEmpty()) throw new IOException(r.path() + ": no process " + only + " in the image");
        if (chosen.size() > MAX_PROCS) throw new IOException(r.path() + ": " + chosen.size() + " processes, the loader restores at most " + MAX_PROCS);
        Map<Integer, ProcessRow> byPid = new LinkedHashMap<>();
        for (ProcessRow p : chosen) byPid.put(p.pid(), p);
        ProcessRow root = chosen.stream().filter(p -> !byPid.containsKey(p.ppid())).findFirst().orElse(chosen.getFirst());
        Map<Integer, List<ProcessRow>> children = new TreeMap<>();
        for (ProcessRow p : chosen) {
            if (p == root) continue;
            int parent = byPid.containsKey(p.ppid()) ? p.ppid() : root.pid();
            children.computeIfAbsent(parent, k -> new ArrayList<>()).add(p);
        }
        List<Proc> order = new ArrayList<>();
        Map<Integer, Integer> index = new HashMap<>();
        order.add(new Proc(root, -1, 0));
        index.put(root.pid(), 0);
        for (int i = 0; i < order.size(); i++) {  // breadth first: a parent always comes before its children
            for (ProcessRow c : children.getOrDefault(order.get(i).row().pid(), List.of())) {
                int flags = c.sid() == c.pid() ? SETSID : c.pgid() == c.pid() ? SETPGID : 0;
                index.put(c.pid(), order.size());
                order.add(new Proc(c, i, flags));
            }
        }
        return new TreePlan(order, pipesOf(r, byPid.keySet()), sharedPipes(r, byPid.keySet()), socketPairs(r, byPid.keySet()),
                sharedFiles(r, byPid.keySet()), fifosOf(r, byPid.keySet()));
    }

    /**
     * Every FIFO the processes hold by path, with the bytes it buffered. The loader keeps each open for reading and
     * writing while the processes reopen theirs, so no open waits for the other end, and refills it first.
     */
    private static Map<String, byte[]> fifosOf(CkptReader r, Set<Integer> pids) throws IOException {
        Map<Long, FileRow> byId = RestorePlan.filesById(r);
        Map<Long, PipeRow> byFile = new HashMap<>();
        for (PipeRow p : r.table(Tables.PIPES)) if (p.path() != null) byFile.put(p.fileId(), p);
        Set<String> attachments = r.attachments().keySet();
        Map<String, byte[]> out = new TreeMap<>();
        for (FdRow fd : r.table(Tables.FDS)) {
            PipeRow p = byFile.get(fd.fileId());
            if (p == null || !pids.contains(fd.pid()) || RestorePlan.fdType(fd, byId.get(fd.fileId())) != RestorePlan.FD_FILE
                    || out.containsKey(p.path())) continue;
            String a = StreamImporter.pipeDataAttachment(p.pipeId());
            out.put(p.path(), attachments.contains(a) ? r.readAttachment(a) : new byte[0]);
        }
        if (out.size() > MAX_FIFOS) throw new IOException(r.path() + ": " + out.size() + " FIFOs, the loader restores at most " + MAX_FIFOS);
        return out;
    }

    /**
     * Open file descriptions that more than one descriptor of the processes holds, inherited across fork or dup'ed
     * (stdio aside: a restart connects it to its terminal). The loader opens each once before it forks and every
     * holder takes that one, so they share the file offset again instead of each having a copy.
     */
    private static Map<Long, FileRow> sharedFiles(CkptReader r, Set<Integer> pids) throws IOException {
        Map<Long, FileRow> byId = RestorePlan.filesById(r);
        Map<Long, Integer> holders = new HashMap<>();
        for (FdRow fd : r.table(Tables.FDS)) {
            int type = RestorePlan.fdType(fd, byId.get(fd.fileId()));
            if (pids.contains(fd.pid()) && (type == RestorePlan.FD_FILE || type == RestorePlan.FD_DIR)) holders.merge(fd.fileId(), 1, Integer::sum);
        }
        Map<Long, FileRow> out = new TreeMap<>();
        holders.forEach((id, n) -> { if (n > 1) out.put(id, byId.get(id)); });
        if (out.size() > MAX_FILES) throw new IOException(r.path() + ": " + out.size() + " shared open files, the loader restores at most " + MAX_FILES);
        return out;
    }

    /** files.id of the open file descriptions the loader opens once for all their holders. */
    Set<Long> sharedFiles() { return files.keySet(); }

    /** The planner of the processes' restore plans, which take the tree's pipes, socket pairs and shared files. */
    RestorePlan planner(Map<String, String> pathMap) {
        return new RestorePlan(pathMap, sharedPipes(), pairedSockets(), sharedFiles());
    }

    /** Unix sockets held by the processes whose peer they hold too: the loader recreates them as socketpair(2)s. */
    private static List<SocketPair> socketPairs(CkptReader r, Set<Integer> pids) throws IOException {
        Set<Long> heldFiles = new HashSet<>();
        for (FdRow fd : r.table(Tables.FDS)) if (pids.contains(fd.pid())) heldFiles.add(fd.fileId());
        Map<Long, dev.ckptkit.io.table.SocketRow> byInode = new HashMap<>();
        for (dev.ckptkit.io.table.SocketRow s : r.table(Tables.SOCKETS)) {
            if ("unix".equals(s.family()) && s.inode() != null && heldFiles.contains(s.fileId())) byInode.putIfAbsent(s.inode(), s);
        }
        Set<String> attachments = r.attachments().keySet();
        List<SocketPair> out = new ArrayList<>();
        for (dev.ckptkit.io.table.SocketRow s : byInode.values()) {
            Long peer = s.peerInode();
            if (peer == null || peer <= s.inode() || !byInode.containsKey(peer)) continue;  // each pair once
            int type = switch (s.type() == null ? "" : s.type()) { case "stream" -> 1; case "dgram" -> 2; case "seqpacket" -> 5; default -> 0; };
            if (type == 0) continue;
            out.add(new SocketPair(s.inode(), peer, type, queue(r, attachments, s.inode()), queue(r, attachments, peer)));
        }
        out.sort(java.util.Comparator.comparingLong(SocketPair::a));
        if (out.size() > MAX_SOCKET_PAIRS) throw new IOException(r.path() + ": " + out.size() + " unix socket pairs, the loader restores at most " + MAX_SOCKET_PAIRS);
        return out;
    }

    private static byte[] queue(CkptReader r, Set<String> attachments, long inode) throws IOException {
        String a = StreamImporter.socketDataAttachment(inode);
        if (!attachments.contains(a)) return new byte[0];
        byte[] q = r.readAttachment(a);
        if (q.length > MAX_QUEUE) throw new IOException(r.path() + ": attachment " + a + " is " + q.length + " bytes, the loader refills at most " + MAX_QUEUE);
        return q;
    }

    /** Inodes of both ends of every socket pair. */
    Set<Long> pairedSockets() {
        Set<Long> s = new HashSet<>();
        for (SocketPair p : socketPairs) {
            s.add(p.a());
            s.add(p.b());
        }
        return s;
    }

    /** Every pipe the processes hold, with the bytes the image saved for it. */
    private static Map<Long, byte[]> pipesOf(CkptReader r, Set<Integer> pids) throws IOException {
        Set<Long> held = new HashSet<>();
        Map<Long, PipeRow> byFile = new HashMap<>();
        for (PipeRow p : r.table(Tables.PIPES)) if (p.path() == null) byFile.put(p.fileId(), p);
        for (FdRow fd : r.table(Tables.FDS)) {
            PipeRow p = byFile.get(fd.fileId());
            if (p != null && pids.contains(fd.pid())) held.add(p.pipeId());
        }
        Map<Long, byte[]> out = new TreeMap<>();
        Set<String> attachments = r.attachments().keySet();
        for (long id : held) {
            String a = StreamImporter.pipeDataAttachment(id);
            out.put(id, attachments.contains(a) ? r.readAttachment(a) : new byte[0]);
        }
        if (out.size() > MAX_PIPES) throw new IOException(r.path() + ": " + out.size() + " pipes, the loader restores at most " + MAX_PIPES);
        return out;
    }

    /** Pipes with a read end and a write end among the processes: a pipeline inside the tree. */
    private static Set<Long> sharedPipes(CkptReader r, Set<Integer> pids) throws IOException {
        Map<Long, FileRow> files = RestorePlan.filesById(r);
        Map<Long, PipeRow> byFile = new HashMap<>();
        for (PipeRow p : r.table(Tables.PIPES)) if (p.path() == null) byFile.put(p.fileId(), p);
        Map<Long, Integer> ends = new HashMap<>();  // bit 1: a reader, bit 2: a writer
        for (FdRow fd : r.table(Tables.FDS)) {
            PipeRow p = byFile.get(fd.fileId());
            if (p == null || !pids.contains(fd.pid())) continue;
            FileRow f = files.get(fd.fileId());
            int flags = f != null ? f.flags() : p.flags();
            ends.merge(p.pipeId(), (flags & 3) == 1 ? 2 : 1, (a, b) -> a | b);
        }
        Set<Long> out = new HashSet<>();
        ends.forEach((id, e) -> { if (e == 3) out.add(id); });
        return out;
    }

    List<Proc> processes() { return procs; }

    Set<Long> sharedPipes() { return shared; }

    /** Bytes the restart puts back into pipes. */
    long bufferedBytes() { return pipes.values().stream().mapToLong(b -> b.length).sum(); }

    /**
     * Writes the tree plan; {@code plans} are the processes' restore plans, in {@link #processes()} order;
     * {@code mapPath} moves the paths of shared files as the restore plans move theirs ({@code --map-path}).
     */
    void write(Path out, List<Path> plans, java.util.function.UnaryOperator<String> mapPath) throws IOException {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
            RestorePlan.Out o = new RestorePlan.Out(os);
            o.raw(MAGIC.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            o.i32(procs.size()).i32(pipes.size()).i32(socketPairs.size()).i32(files.size()).i32(fifos.size()).i32(0);
            for (int i = 0; i < procs.size(); i++) {
                Proc p = procs.get(i);
                byte[] path = RestorePlan.bytes(plans.get(i).toAbsolutePath().toString());
                o.i32(p.row().pid()).i32(p.parent()).i32(p.flags()).i32(path.length);
                o.padded(path);
            }
            for (Map.Entry<Long, byte[]> e : pipes.entrySet()) {
                o.i32(RestorePlan.planPipeId(e.getKey())).i32(e.getValue().length);
                o.padded(e.getValue());
            }
            for (SocketPair sp : socketPairs) {
                o.i32(RestorePlan.planPipeId(sp.a())).i32(RestorePlan.planPipeId(sp.b())).i32(sp.type())
                        .i32(sp.queueA().length).i32(sp.queueB().length).i32(0);
                o.padded(sp.queueA());
                o.padded(sp.queueB());
            }
            for (Map.Entry<Long, FileRow> e : files.entrySet()) {
                FileRow f = e.getValue();
                byte[] path = RestorePlan.bytes(mapPath.apply(f.path()));
                int type = "dir".equals(f.type()) ? RestorePlan.FD_DIR : RestorePlan.FD_FILE;
                o.i32(RestorePlan.planPipeId(e.getKey())).i32(f.flags()).i64(f.pos() != null ? f.pos() : 0).i32(type).i32(path.length);
                o.padded(path);
            }
            for (Map.Entry<String, byte[]> e : fifos.entrySet()) {
                byte[] path = RestorePlan.bytes(mapPath.apply(e.getKey()));
                o.i32(e.getValue().length).i32(path.length);
                o.padded(path);
                o.padded(e.getValue());
            }
        }
    }
}
