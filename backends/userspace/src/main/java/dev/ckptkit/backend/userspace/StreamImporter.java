package dev.ckptkit.backend.userspace;

import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.PageSink;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.PipeRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.RlimitRow;
import dev.ckptkit.io.table.SignalRow;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.io.table.ThreadRow;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the streams of libckpt.so (PROTOCOL.md), one per process of a tree, into one CKPT image: tables for the
 * processes, their threads, memory areas, files, pipes, signals and limits, the non-zero pages, the bytes buffered in
 * pipes (attachments {@code pipe-data/PIPE_ID}), a glue record per process for the restart loader, and a manifest of
 * style "userspace". Pages go to the writer as they arrive; the tables are written by {@link #finish()}.
 */
final class StreamImporter {
    static final int PAGE = 4096;

    /** What the import saw of one process; the CLI prints it. */
    record Result(int pid, int realPid, int threads, int areas, long pages, long pageBytes) {}

    private final CkptWriter w;
    private final List<String> hooks;
    private final Map<String, String> labels;
    private final String capturedAt;
    private final List<ProcessRow> processes = new ArrayList<>();
    private final List<ThreadRow> threads = new ArrayList<>();
    private final List<MemoryAreaRow> areas = new ArrayList<>();
    private final List<FileRow> files = new ArrayList<>();
    private final List<FdRow> fds = new ArrayList<>();
    private final List<PipeRow> pipes = new ArrayList<>();
    private final List<SocketRow> sockets = new ArrayList<>();
    private final List<SignalRow> signals = new ArrayList<>();
    private final List<RlimitRow> rlimits = new ArrayList<>();
    /** pipe inode -> bytes buffered at checkpoint time (several readers of one pipe send the same bytes) */
    private final Map<Long, byte[]> pipeData = new TreeMap<>();
    /** unix socket inode -> its receive queue as records {u32 length, bytes} */
    private final Map<Long, byte[]> socketData = new TreeMap<>();
    private final List<Result> results = new ArrayList<>();
    private FrameInput in;

    StreamImporter(CkptWriter writer, List<String> hooks, Map<String, String> labels, String capturedAt) {
        this.w = writer;
        this.hooks = hooks == null ? List.of() : hooks;
        this.labels = labels;
        this.capturedAt = capturedAt;
    }

    /** One process's stream, then the image's tables and manifest. */
    Result importOne(ReadableByteChannel stream, String resource) throws IOException {
        Result r = add(stream, resource);
        finish();
        return r;
    }

    /** The attachment with the bytes a pipe held at checkpoint time. */
    static String pipeDataAttachment(long pipeId) { return "pipe-data/" + pipeId; }

    /** The attachment with a unix socket's receive queue at checkpoint time. */
    static String socketDataAttachment(long inode) { return "socket-data/" + inode; }

    /** Reads one process's stream (up to END); its pages go to the writer at once. */
    Result add(ReadableByteChannel stream, String resource) throws IOException {
        return add(stream, resource, List.of());
    }

    /** As {@link #add(ReadableByteChannel, String)}, for a piped dump: the bytes of its PAGE_BLOCK frames are in {@code pagePipes}. */
    Result add(ReadableByteChannel stream, String resource, List<PagePipe> pagePipes) throws IOException {
        in = new FrameInput(stream, resource);
        FrameInput.Frame f = in.next();
        if (f.type() == Protocol.ERROR) throw in.reported(f, "the process refused the checkpoint");
        if (f.type() != Protocol.HELLO || f.payload().limit() < Protocol.HELLO_SIZE) throw in.corrupt(f, "stream does not start with HELLO");
        ByteBuffer h = f.payload();
        if (h.getInt(0) != Protocol.VERSION) throw in.corrupt(f, "protocol version " + h.getInt(0) + ", expected " + Protocol.VERSION);
        int pid = h.getInt(4), ppid = h.getInt(8), pgid = h.getInt(12), sid = h.getInt(16), realPid = h.getInt(20);
        long[] ids = new long[6];
        for (int i = 0; i < 6; i++) ids[i] = Integer.toUnsignedLong(h.getInt(24 + 4 * i));
        long startBrk = h.getLong(56), brk = h.getLong(64);
        String comm = cstring(h, 80, 16);
        if (processes.stream().anyMatch(x -> x.pid() == pid)) throw in.corrupt(f, "process " + pid + " sent twice");
        List<String> cmdline = List.of(), env = List.of();
        String cwd = null, exe = null;
        int threadsBefore = threads.size(), areasBefore = areas.size();
        StringBuilder glue = new StringBuilder();
        if (h.limit() >= Protocol.HELLO_SIZE + 8) glue.append("restored_addr=").append(h.getLong(Protocol.HELLO_SIZE)).append('\n');
        glue.append("real_pid=").append(realPid).append('\n').append("start_brk=").append(startBrk).append('\n')
                .append("brk=").append(brk).append('\n').append("signal=").append(h.getInt(52)).append('\n');
        long pages = 0;
        long lastArea = Long.MIN_VALUE;
        Integer tracer = null;
        Map<Integer, Long> fdMtimes = new java.util.HashMap<>();
        Map<Long, Long> areaMtimes = new java.util.HashMap<>();
        boolean ended = false;
        while (!ended) {
            f = in.next();
            ByteBuffer p = f.payload();
            switch (f.type()) {
                case Protocol.CMDLINE -> cmdline = nulSeparated(p);
                case Protocol.ENVIRON -> env = nulSeparated(p);
                case Protocol.CWD -> cwd = f.string(0);
                case Protocol.EXE -> exe = f.string(0);
                case Protocol.RLIMITS -> {
                    for (int o = 0; o + Protocol.RLIMIT_SIZE <= p.limit(); o += Protocol.RLIMIT_SIZE) {
                        rlimits.add(new RlimitRow(pid, Protocol.rlimitName(p.getInt(o)), p.getLong(o + 8), p.getLong(o + 16)));
                    }
                }
                case Protocol.SIGACTIONS -> {
                    for (int o = 0; o + Protocol.SIGACTION_SIZE <= p.limit(); o += Protocol.SIGACTION_SIZE) {
                        signals.add(new SignalRow(pid, 0, p.getInt(o), "action", p.getLong(o + 8), p.getLong(o + 16),
                                p.getLong(o + 32), p.getLong(o + 24)));
                    }
                }
                case Protocol.THREAD -> {
                    need(f, Protocol.THREAD_SIZE);
                    int tid = p.getInt(0);
                    List<Long> gp = new ArrayList<>(27);
                    for (int i = 0; i < 27; i++) gp.add(p.getLong(8 + 8 * i));
                    long sigmask = p.getLong(224), xbv = p.getLong(232);
                    int fpSize = p.getInt(240), fpFormat = p.getInt(244);
                    long tidAddr = p.getLong(248);
                    if (fpSize < 0 || Protocol.THREAD_SIZE + (long) fpSize > p.limit()) throw in.corrupt(f, "thread FPU state of " + fpSize + " bytes does not fit its frame");
                    byte[] fp = new byte[fpSize];
                    p.get(Protocol.THREAD_SIZE, fp);
                    threads.add(new ThreadRow(pid, tid, cstring(p, 256, 16), "x86_64", gp, fp,
                            fpFormat == 1 ? "xsave" : "fxsave", fpFormat == 1 ? xbv : null, sigmask, 0L, null));
                    if (tidAddr != 0) glue.append("tid_addr.").append(tid).append('=').append(tidAddr).append('\n');
                    if ((p.getInt(4) & 1) != 0) glue.append("manager_tid=").append(tid).append('\n');
                }
                case Protocol.FD -> {
                    need(f, Protocol.FD_SIZE);
                    addFd(pid, p, f.string(Protocol.FD_SIZE), files, fds, pipes, sockets);
                }
                case Protocol.PIPE_DATA -> {
                    need(f, Protocol.PIPE_DATA_SIZE);
                    byte[] data = new byte[p.limit() - Protocol.PIPE_DATA_SIZE];
                    p.get(Protocol.PIPE_DATA_SIZE, data);
                    pipeData.putIfAbsent(p.getLong(0), data);
                }
                case Protocol.UNIX_SOCK -> {
                    need(f, Protocol.UNIX_SOCK_SIZE);
                    long inode = p.getLong(0), peer = p.getLong(8);
                    for (int i = sockets.size() - 1; i >= 0 && peer != 0; i--) {  // the FD frame before it made the row
                        SocketRow s = sockets.get(i);
                        if (s.inode() != null && s.inode() == inode) {
                            sockets.set(i, new SocketRow(s.fileId(), s.family(), s.type(), s.protocol(), s.state(), s.local(), s.peer(),
                                    s.inode(), peer, s.backlog()));
                            break;
                        }
                    }
                    if ((p.getInt(24) & Protocol.UNIX_QUEUE_SAVED) != 0 && p.getInt(20) > 0) {
                        byte[] q = new byte[p.limit() - Protocol.UNIX_SOCK_SIZE];
                        p.get(Protocol.UNIX_SOCK_SIZE, q);
                        socketData.putIfAbsent(inode, q);
                    }
                }
                case Protocol.AREA -> {
                    need(f, Protocol.AREA_SIZE);
                    long start = p.getLong(0), end = p.getLong(8);
                    if (Long.compareUnsigned(start, end) >= 0 || (start & (PAGE - 1)) != 0 || (end & (PAGE - 1)) != 0
                            || Long.compareUnsigned(start, lastArea + 1) < 0 && lastArea != Long.MIN_VALUE) {
                        throw in.corrupt(f, "bad memory area 0x" + Long.toHexString(start) + "-0x" + Long.toHexString(end));
                    }
                    lastArea = end - 1;
                    String name = f.string(Protocol.AREA_SIZE);
                    int flags = p.getInt(28);
                    areas.add(new MemoryAreaRow(pid, start, end, p.getInt(24), flags, p.getLong(16),
                            name.isEmpty() ? null : name, kind(name, flags), p.getLong(32), p.getLong(40), null));
                }
                case Protocol.PAGES -> {
                    need(f, Protocol.PAGES_SIZE);
                    long vaddr = p.getLong(0), n = p.getLong(8);
                    if (n <= 0 || n > Protocol.MAX_FRAME / PAGE || Protocol.PAGES_SIZE + n * PAGE != f.length() || (vaddr & (PAGE - 1)) != 0) throw in.corrupt(f, "bad page run");
                    in.pagesTo(w.pages(), f, pid, vaddr, n);
                    pages += n;
                }
                case Protocol.PAGE_BLOCK -> pages += pageBlock(f, pid, pagePipes);
                case Protocol.STATUS -> {
                    need(f, Protocol.STATUS_SIZE);
                    tracer = p.getInt(0);
                }
                case Protocol.MTIMES -> {
                    for (int o = 0; o + Protocol.MTIME_SIZE <= p.limit(); o += Protocol.MTIME_SIZE) {
                        if (p.getInt(o) == Protocol.MTIME_FD) fdMtimes.put(p.getInt(o + 4), p.getLong(o + 16));
                        else if (p.getInt(o) == Protocol.MTIME_AREA) areaMtimes.put(p.getLong(o + 8), p.getLong(o + 16));
                    }
                }
                case Protocol.END -> ended = true;
                case Protocol.ERROR -> throw in.reported(f, "the process failed during the checkpoint");
                default -> { /* a later protocol minor may add frames: skip */ }
            }
        }
        int nthreads = threads.size() - threadsBefore;
        processes.add(new ProcessRow(pid, ppid, pgid, sid, comm, exe, cmdline, env, ids[0], ids[1],
                ids[2], null, ids[3], ids[4], ids[5], null, null, null, null, cwd, "/", "running", null, nthreads)
                .withTracer(tracer));
        for (FdRow fd : fds) {
            Long mt = fd.pid() == pid ? fdMtimes.get(fd.fd()) : null;
            if (mt != null) files.replaceAll(r -> r.id() == fd.fileId() && r.type().equals("reg") ? r.withMtime(mt) : r);
        }
        for (int i = areasBefore; i < areas.size(); i++) areas.set(i, areas.get(i).withMtime(areaMtimes.get(areas.get(i).start())));
        w.nativeRecord(Protocol.glueRecord(pid), glue.toString().getBytes(StandardCharsets.UTF_8));
        Result r = new Result(pid, realPid, nthreads, areas.size() - areasBefore, pages, pages * PAGE);
        results.add(r);
        return r;
    }

    /** Descriptor types a restart reopens by path, so that one open of a shared description can serve every holder. */
    private static final Set<String> SHAREABLE = Set.of("reg", "dir", "chr", "tty");

    /**
     * Gives descriptors that are one open file description (inherited across fork, or dup'ed) one files row, as
     * CRIU's images do, so that a restart opens the file once and they share its offset again. Candidates have the
     * same type, path, inode, device, flags and position; kcmp(2) decides. Call it while the processes are still
     * stopped: kcmp compares the live descriptors. Pipes and sockets are matched by inode elsewhere.
     */
    void shareOpenFiles(Kcmp kcmp) {
        Map<Integer, Integer> real = new HashMap<>();
        for (Result r : results) real.put(r.pid(), r.realPid());
        Map<Long, FileRow> byId = new HashMap<>();
        for (FileRow f : files) byId.put(f.id(), f);
        Map<List<Object>, List<FdRow>> candidates = new LinkedHashMap<>();
        for (FdRow fd : fds) {
            FileRow f = byId.get(fd.fileId());
            if (f == null || !SHAREABLE.contains(f.type()) || f.inode() == null || !real.containsKey(fd.pid())) continue;
            candidates.computeIfAbsent(Arrays.asList(f.type(), f.path(), f.inode(), f.dev(), f.flags(), f.pos()),
                    k -> new ArrayList<>()).add(fd);
        }
        Map<Long, Long> sameAs = new HashMap<>();  // files.id -> the row of the description's first fd
        for (List<FdRow> group : candidates.values()) {
            List<FdRow> firsts = new ArrayList<>();  // one fd of each description found so far
            for (FdRow fd : group) {
                FdRow match = firsts.stream()
                        .filter(a -> kcmp.sameFile(real.get(a.pid()), a.fd(), real.get(fd.pid()), fd.fd())).findFirst().orElse(null);
                if (match == null) firsts.add(fd);
                else sameAs.put(fd.fileId(), match.fileId());
            }
        }
        if (sameAs.isEmpty()) return;
        fds.replaceAll(fd -> sameAs.containsKey(fd.fileId()) ? new FdRow(fd.pid(), fd.fd(), sameAs.get(fd.fileId()), fd.cloexec()) : fd);
        files.removeIf(f -> sameAs.containsKey(f.id()));
    }

    /**
     * Fills in the state and addresses of the TCP and UDP sockets, and the name of listening unix sockets, from
     * /proc/PID/net of each process (the stream carries only their inode, family and type), so that a restart can
     * listen or bind again, and validate can check the ports. Call it while the processes are still stopped.
     */
    void describeSockets() {
        Map<String, Map<Long, ProcNetSockets.Entry>> byNetns = new HashMap<>();  // a tree mostly shares one namespace
        for (Result r : results) {
            Set<Long> held = new java.util.HashSet<>();
            for (FdRow fd : fds) if (fd.pid() == r.pid()) held.add(fd.fileId());
            Map<Long, ProcNetSockets.Entry> byInode = null;
            for (int i = 0; i < sockets.size(); i++) {
                SocketRow s = sockets.get(i);
                boolean inet = s.family().startsWith("inet");
                if (!held.contains(s.fileId()) || !(inet || "unix".equals(s.family())) || s.inode() == null || s.state() != null) continue;
                if (byInode == null) byInode = byNetns.computeIfAbsent(ProcNetSockets.namespace(r.realPid()), k -> ProcNetSockets.of(r.realPid()));
                ProcNetSockets.Entry e = byInode.get(s.inode());
                if (e == null || (!inet && e.state() == null)) continue;  // of unix sockets, only listeners are rebuilt
                sockets.set(i, new SocketRow(s.fileId(), s.family(), s.type(), inet ? e.protocol() : s.protocol(), e.state(),
                        e.local(), e.peer(), s.inode(), s.peerInode(), null));
            }
        }
    }

    /** Writes the tables, pipe contents and manifest of every process added. */
    void finish() throws IOException {
        List<PipeRow> withData = new ArrayList<>(pipes.size());
        for (PipeRow pr : pipes) {
            byte[] d = pipeData.get(pr.pipeId());
            withData.add(d == null ? pr : new PipeRow(pr.fileId(), pr.pipeId(), pr.path(), pr.flags(), d.length));
        }
        for (Map.Entry<Long, byte[]> d : pipeData.entrySet()) {
            w.attachment(pipeDataAttachment(d.getKey()), new java.io.ByteArrayInputStream(d.getValue()));
        }
        for (Map.Entry<Long, byte[]> d : socketData.entrySet()) {
            w.attachment(socketDataAttachment(d.getKey()), new java.io.ByteArrayInputStream(d.getValue()));
        }
        w.table(Tables.PROCESSES, processes);
        w.table(Tables.THREADS, threads);
        w.table(Tables.MEMORY_AREAS, areas);
        w.table(Tables.FILES, files);
        w.table(Tables.FDS, fds);
        w.table(Tables.PIPES, withData);
        w.table(Tables.SOCKETS, sockets);
        w.table(Tables.SIGNALS, signals);
        w.table(Tables.RLIMITS, rlimits);
        if (!hooks.isEmpty()) w.nativeRecord(Protocol.HOOKS_RECORD, (String.join("\n", hooks) + "\n").getBytes(StandardCharsets.UTF_8));
        w.manifest(new Manifest(Manifest.SCHEMA, new Manifest.Producer("userspace", String.valueOf(Protocol.VERSION),
                "libckpt.so", "ckpt checkpoint", null), "userspace", HostInfo.current(), capturedAt,
                new Manifest.ProcessTree(root(), processes.size(), threads.size(), processes.stream().map(ProcessRow::pid).toList()),
                null, labels == null || labels.isEmpty() ? null : new TreeMap<>(labels)));
    }

    /** The process whose parent is not in the image (the launched program). */
    private int root() {
        java.util.Set<Integer> pids = new java.util.HashSet<>();
        for (ProcessRow p : processes) pids.add(p.pid());
        return processes.stream().filter(p -> !pids.contains(p.ppid())).map(ProcessRow::pid).findFirst()
                .orElse(processes.getFirst().pid());
    }

    /** A PAGE_BLOCK frame: its runs, and its bytes spliced from the page pipe into the image; returns its pages. */
    private long pageBlock(FrameInput.Frame f, int pid, List<PagePipe> pagePipes) throws IOException {
        need(f, Protocol.PAGE_BLOCK_SIZE);
        ByteBuffer p = f.payload();
        int nruns = p.getInt(0), crc = p.getInt(4), pipe = p.getInt(8);
        if (pipe < 0 || pipe >= pagePipes.size()) throw in.corrupt(f, "page block in page pipe " + pipe + " of " + pagePipes.size());
        int max = w.pages().maxBlockPages();
        if (nruns <= 0 || nruns > max || Protocol.PAGE_BLOCK_SIZE + 16L * nruns != p.limit()) throw in.corrupt(f, "bad page block of " + nruns + " runs");
        List<PageSink.Run> runs = new ArrayList<>(nruns);
        long total = 0;
        for (int i = 0; i < nruns; i++) {
            long vaddr = p.getLong(Protocol.PAGE_BLOCK_SIZE + 16 * i), n = p.getLong(Protocol.PAGE_BLOCK_SIZE + 16 * i + 8);
            total += n;
            if (n <= 0 || total > max || (vaddr & (PAGE - 1)) != 0) throw in.corrupt(f, "bad page run in a block");
            runs.add(new PageSink.Run(vaddr, n));
        }
        try {
            w.pages().addBlock(pid, runs, crc, pagePipes.get(pipe)::spliceTo);
        } catch (IllegalArgumentException | IllegalStateException e) {  // out of order: the writer says which page
            throw in.corrupt(f, e.getMessage());
        }
        return total;
    }

    private void need(FrameInput.Frame f, int size) throws IOException {
        if (f.payload().limit() < size) throw in.corrupt(f, "frame type " + f.type() + " is " + f.payload().limit() + " bytes, needs " + size);
    }

    private static void addFd(int pid, ByteBuffer p, String path, List<FileRow> files, List<FdRow> fds, List<PipeRow> pipes,
                              List<SocketRow> sockets) {
        int fd = p.getInt(0), flags = p.getInt(4), type = p.getInt(16), mode = p.getInt(20);
        long pos = p.getLong(8), inode = p.getLong(24), dev = p.getLong(32), size = p.getLong(40);
        boolean cloexec = p.getInt(48) != 0;
        long id = files.size() + 1;
        String t = switch (type) {
            case Protocol.FD_REG -> "reg";
            case Protocol.FD_DIR -> "dir";
            case Protocol.FD_PIPE -> "pipe";
            case Protocol.FD_FIFO -> "fifo";
            case Protocol.FD_SOCKET -> "socket";
            case Protocol.FD_CHR -> path.startsWith("/dev/pts/") || path.equals("/dev/tty") ? "tty" : "chr";
            case Protocol.FD_BLK -> "blk";
            default -> path.startsWith("anon_inode:[eventfd]") ? "eventfd" : path.startsWith("anon_inode:[eventpoll]")
                    ? "eventpoll" : path.startsWith("/memfd:") ? "memfd" : "other";
        };
        boolean deleted = path.endsWith(" (deleted)");
        files.add(new FileRow(id, t, deleted ? path.substring(0, path.length() - 10) : path, flags, pos >= 0 ? pos : null,
                type == Protocol.FD_REG ? size : null, mode, inode, dev, deleted, null, null));
        fds.add(new FdRow(pid, fd, id, cloexec));
        if (type == Protocol.FD_PIPE || type == Protocol.FD_FIFO) {
            pipes.add(new PipeRow(id, inode, type == Protocol.FD_FIFO ? path : null, flags, 0));
        }
        if (type == Protocol.FD_SOCKET) {
            int domain = p.getInt(52), stype = p.getInt(56), proto = p.getInt(60);
            String family = switch (domain) { case 1 -> "unix"; case 2 -> "inet"; case 10 -> "inet6"; case 16 -> "netlink"; case 17 -> "packet"; default -> "af" + domain; };
            String st = switch (stype & 0xf) { case 1 -> "stream"; case 2 -> "dgram"; case 3 -> "raw"; case 5 -> "seqpacket"; default -> "type" + stype; };
            sockets.add(new SocketRow(id, family, st, proto, null, null, null, inode, null, null));
        }
    }

    static String kind(String name, int flags) {
        return switch (name) {
            case "[heap]" -> "heap";
            case "[stack]" -> "stack";
            case "[vdso]" -> "vdso";
            case "[vvar]", "[vvar_vclock]" -> "vvar";
            case "[vsyscall]" -> "vsyscall";
            default -> name.startsWith("/") ? ((flags & 1) != 0 ? "shmem" : "file") : (flags & 1) != 0 ? "shmem" : name.isEmpty() ? "anon" : "other";
        };
    }

    private static List<String> nulSeparated(ByteBuffer p) {
        byte[] b = new byte[p.limit()];
        p.get(0, b);
        List<String> out = new ArrayList<>();
        int s = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                out.add(new String(b, s, i - s, StandardCharsets.UTF_8));
                s = i + 1;
            }
        }
        if (s < b.length) out.add(new String(b, s, b.length - s, StandardCharsets.UTF_8));
        return out;
    }

    private static String cstring(ByteBuffer p, int off, int max) {
        byte[] b = new byte[max];
        p.get(off, b);
        int n = 0;
        while (n < max && b[n] != 0) n++;
        return new String(Arrays.copyOf(b, n), StandardCharsets.UTF_8);
    }
}
