package dev.ckptkit.backend.userspace;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.RlimitRow;
import dev.ckptkit.io.table.SignalRow;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.io.table.ThreadRow;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Writes the flat restore plan ckpt-loader reads (PROTOCOL.md, "Restore plan") for one process of an image. Only
 * the common tables and the page store are needed, so images that came from elsewhere (a CRIU round trip) restart
 * too; the glue record, when present, adds what makes threads and brk exact.
 */
public final class RestorePlan {
    static final int AREA_PRIVATE = 0, AREA_SHARED_FILE = 1, AREA_SHARED_ANON = 2, AREA_VDSO = 3, AREA_VVAR = 4,
            AREA_VVAR_VCLOCK = 5, AREA_VSYSCALL = 6;
    static final int FD_KEEP = 0, FD_FILE = 1, FD_PIPE_R = 2, FD_PIPE_W = 3, FD_NULL = 4, FD_DIR = 5, FD_SOCKPAIR = 6,
            FD_SHARED = 7, FD_LISTEN = 8, FD_DGRAM = 9;
    /** Backlog of a recreated listening socket: the kernel keeps no record of the program's (and caps this one). */
    private static final int BACKLOG = 4096;
    private static final int PAGE = 4096;

    /** What the plan restores, for messages and tests. */
    public record Summary(int pid, int threads, int areas, int fds, long pages, List<String> warnings) {}

    private final Map<String, String> pathMap;
    private final java.util.Set<Long> treePipes, treeSockets, treeFiles;

    /** {@code pathMap}: OLD=NEW prefixes applied to the paths of files the process had open. */
    public RestorePlan(Map<String, String> pathMap) {
        this(pathMap, java.util.Set.of(), java.util.Set.of(), java.util.Set.of());
    }

    /**
     * {@code treePipes}: pipes whose both ends the restored processes hold; stdin/stdout/stderr on one of them are
     * restored as that pipe (a pipeline inside the tree), any other stdio stays the restart's terminal.
     * {@code treeSockets}: inodes of unix sockets whose peer the restored processes hold too (the tree plan's pairs).
     * {@code treeFiles}: files.id of open file descriptions that several descriptors hold (the tree plan's files).
     */
    RestorePlan(Map<String, String> pathMap, java.util.Set<Long> treePipes, java.util.Set<Long> treeSockets,
                java.util.Set<Long> treeFiles) {
        this.pathMap = pathMap == null ? Map.of() : new LinkedHashMap<>(pathMap);
        this.treePipes = treePipes;
        this.treeSockets = treeSockets;
        this.treeFiles = treeFiles;
    }

    public Summary write(CkptReader r, int pid, Path plan) throws IOException {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(plan), 1 << 20)) {
            return write(r, pid, os, true);
        }
    }

    /**
     * What a restart of {@code pid} would restore and what not (fds that become /dev/null, missing files), without
     * writing anything; throws when it cannot restart at all (no registers, not x86_64). For validation.
     */
    public Summary check(CkptReader r, int pid) throws IOException {
        return write(r, pid, OutputStream.nullOutputStream(), false);
    }

    private Summary write(CkptReader r, int pid, OutputStream os, boolean withPages) throws IOException {
        ProcessRow proc = r.table(Tables.PROCESSES).stream().filter(p -> p.pid() == pid).findFirst()
                .orElseThrow(() -> new IOException(r.path() + ": no process " + pid + " in the image"));
        List<ThreadRow> threads = r.table(Tables.THREADS).stream().filter(t -> t.pid() == pid).toList();
        if (threads.isEmpty()) throw new IOException(r.path() + ": process " + pid + " has no threads with registers");
        for (ThreadRow t : threads) {
            if (!"x86_64".equals(t.arch()) || t.gpRegs() == null || t.gpRegs().size() < 22) {
                throw new IOException(r.path() + ": thread " + t.tid() + " has no x86_64 register set; cannot restart it");
            }
        }
        List<MemoryAreaRow> areas = r.table(Tables.MEMORY_AREAS).stream().filter(a -> a.pid() == pid).toList();
        Properties glue = new Properties();
        String glueName = Protocol.glueRecord(pid);
        if (r.nativeNames().contains(glueName)) glue.load(new java.io.StringReader(new String(r.nativeRecord(glueName), StandardCharsets.UTF_8)));
        else glue = CriuGlue.of(r, pid, threads);  // imported from CRIU: the same facts are in its mm and core records
        List<String> warnings = new ArrayList<>();
        Map<Long, FileRow> files = filesById(r);
        Map<Long, Long> pipeOf = new HashMap<>();  // CRIU images name pipes by their own ids, not by inode
        for (dev.ckptkit.io.table.PipeRow p : r.table(Tables.PIPES)) pipeOf.put(p.fileId(), p.pipeId());
        Map<Long, SocketRow> sockets = new HashMap<>();
        for (SocketRow s : r.table(Tables.SOCKETS)) sockets.put(s.fileId(), s);
        List<FdRow> fds = r.table(Tables.FDS).stream().filter(f -> f.pid() == pid).toList();
        List<SignalRow> sigs = r.table(Tables.SIGNALS).stream().filter(s -> s.pid() == pid && "action".equals(s.kind())).toList();
        List<RlimitRow> rlimits = r.table(Tables.RLIMITS).stream().filter(l -> l.pid() == pid && Protocol.rlimitNumber(l.resource()) >= 0).toList();

        long startBrk = num(glue, "start_brk"), brk = num(glue, "brk");
        if (startBrk == 0) {
            for (MemoryAreaRow a : areas) if ("heap".equals(a.kind())) { startBrk = a.start(); brk = a.end(); }
        }
        long pages = 0;
        {
            Out o = new Out(os);
            byte[] cwd = bytes(proc.cwd()), comm = bytes(proc.comm()), image = bytes(r.path().toAbsolutePath().toString());
            if (comm.length > 15) comm = java.util.Arrays.copyOf(comm, 15);
            o.raw("CKPTPLN2".getBytes(StandardCharsets.US_ASCII));
            o.i32(threads.size()).i32(areas.size()).i32(sigs.size()).i32(rlimits.size()).i32(fds.size()).i32(image.length);
            o.i32(pid).i32(0).i64(startBrk).i64(brk).i32(cwd.length).i32(comm.length).i64(num(glue, "restored_addr"));
            o.padded(cwd);
            o.padded(comm);
            o.padded(image);
            for (ThreadRow t : threads) {
                byte[] fp = t.fpRegs() == null ? new byte[0] : t.fpRegs();
                o.i32(t.tid()).i32(fp.length);
                for (int i = 0; i < 27; i++) o.i64(i < t.gpRegs().size() ? t.gpRegs().get(i) : 0);
                o.i64(t.sigBlocked() == null ? 0 : t.sigBlocked()).i64(t.xstateBv() == null ? 0 : t.xstateBv());
                o.i64(num(glue, "tid_addr." + t.tid()));
                o.padded(fp);
            }
            for (MemoryAreaRow a : areas) {
                byte[] path = bytes(a.path());
                o.i64(a.start()).i64(a.end()).i64(a.pgoff()).i32(a.prot()).i32(a.flags()).i32(areaKind(a)).i32(path.length)
                        .i64(a.inode() == null ? 0 : a.inode());
                o.padded(path);
            }
            for (SignalRow s : sigs) {
                o.i32(s.signo()).i32(0).i64(nz(s.handler())).i64(nz(s.flags())).i64(nz(s.restorer())).i64(nz(s.mask()));
            }
            for (RlimitRow l : rlimits) o.i32(Protocol.rlimitNumber(l.resource())).i32(0).i64(l.soft()).i64(l.hard());
            for (FdRow fd : fds) {
                FileRow f = files.get(fd.fileId());
                long pipeId = pipeOf.getOrDefault(fd.fileId(), f != null && f.inode() != null ? f.inode() : 0L);
                boolean paired = f != null && "socket".equals(f.type()) && f.inode() != null && treeSockets.contains(f.inode());
                if (paired) pipeId = f.inode();
                int type = paired ? FD_SOCKPAIR : fd.fd() <= 2 && f != null && "pipe".equals(f.type()) && treePipes.contains(pipeId)
                        ? ((f.flags() & 3) == 1 ? FD_PIPE_W : FD_PIPE_R) : fdType(fd, f);
                String path = f == null || f.path() == null ? "" : mapPath(f.path());
                byte[] p = bytes(path);
                byte[] sockaddr = type == FD_NULL ? Sockaddrs.of(sockets.get(fd.fileId())) : null;
                long pos = f != null && f.pos() != null ? f.pos() : 0;
                if (sockaddr != null) {  // a TCP or unix listener or a bound UDP socket: made and bound again
                    SocketRow s = sockets.get(fd.fileId());
                    type = "LISTEN".equals(s.state()) ? FD_LISTEN : FD_DGRAM;
                    pipeId = BACKLOG;
                    pos = Sockaddrs.type(s);  // the socket(2) type rides in the position field
                    p = sockaddr;
                }
                if ((type == FD_FILE || type == FD_DIR) && !Files.exists(Path.of(path))) {
                    warnings.add("fd " + fd.fd() + ": " + path + " does not exist (use --map-path OLD=NEW); it becomes /dev/null");
                }
                if (type == FD_NULL) warnings.add("fd " + fd.fd() + ": " + (f == null ? "?" : f.type() + " " + f.path()) + " cannot be restored; it becomes /dev/null");
                if ((type == FD_FILE || type == FD_DIR) && treeFiles.contains(fd.fileId())) {
                    type = FD_SHARED;  // the tree plan opens it once: every holder takes that description
                    pipeId = fd.fileId();
                }
                int flags = f == null ? 0 : f.flags();
                o.i32(fd.fd()).i32(flags).i64(pos).i32(type)
                        .i32(planPipeId(pipeId)).i32(p.length).i32(0);
                o.padded(p);
            }
            long[] starts = areas.stream().mapToLong(MemoryAreaRow::start).sorted().toArray();
            if (withPages) pages = writePages(r, pid, starts, o);
            o.i64(0).i64(0).i64(0);
        }
        return new Summary(pid, threads.size(), areas.size(), fds.size(), pages, warnings);
    }

    /**
     * Runs of consecutive pages with data; zero and absent pages are left to the anonymous mapping (zero). A run never
     * crosses into the next area: the loader decides per run whether the area takes data.
     */
    private static long writePages(CkptReader r, int pid, long[] areaStarts, Out o) throws IOException {
        PageStore ps = r.pages();
        long[] range = ps.range(pid);
        long written = 0;
        long i = range[0];
        while (i < range[1]) {
            PageStore.Entry e = ps.entry(i);
            if (e.zero() || e.absent()) { i++; continue; }
            // the loader reads pages of uncompressed blocks from the .ckpt itself; compressed ones travel in the plan
            long off = ps.fileOffset(e.page());
            long j = i + 1;
            while (j < range[1] && j - i < 4096) {
                PageStore.Entry n = ps.entry(j);
                if (n.zero() || n.absent() || n.vaddr() != e.vaddr() + (j - i) * PAGE) break;
                if (java.util.Arrays.binarySearch(areaStarts, n.vaddr()) >= 0) break;
                // a run read straight from the image must also be contiguous in the file
                long next = ps.fileOffset(n.page());
                if (off >= 0 ? next != off + (j - i) * PAGE : next >= 0) break;
                j++;
            }
            o.i64(e.vaddr()).i64(j - i).i64(off);
            if (off < 0) for (long k = i; k < j; k++) o.segment(ps.page(ps.pageAt(k)));
            written += j - i;
            i = j;
        }
        return written;
    }

    /** The 32 bits of a pipe id the plans carry (inodes of one kernel's pipefs do not collide in them in practice). */
    static int planPipeId(long pipeId) { return (int) pipeId; }

    private static int areaKind(MemoryAreaRow a) {
        String p = a.path() == null ? "" : a.path();
        switch (a.kind() == null ? "" : a.kind()) {  // other backends may name these by kind only
            case "vdso": return AREA_VDSO;
            case "vvar": return p.equals("[vvar_vclock]") ? AREA_VVAR_VCLOCK : AREA_VVAR;
            case "vsyscall": return AREA_VSYSCALL;
            default: break;
        }
        switch (p) {
            case "[vdso]": return AREA_VDSO;
            case "[vvar]": return AREA_VVAR;
            case "[vvar_vclock]": return AREA_VVAR_VCLOCK;
            case "[vsyscall]": return AREA_VSYSCALL;
            default: break;
        }
        boolean shared = (a.flags() & 1) != 0;
        if (shared && p.startsWith("/") && !p.endsWith(" (deleted)") && !p.startsWith("/dev/zero") && !p.startsWith("/SYSV")) return AREA_SHARED_FILE;
        return shared ? AREA_SHARED_ANON : AREA_PRIVATE;
    }

    /** The image's open file descriptions by files.id. */
    static Map<Long, FileRow> filesById(CkptReader r) throws IOException {
        Map<Long, FileRow> files = new HashMap<>();
        for (FileRow f : r.table(Tables.FILES)) files.put(f.id(), f);
        return files;
    }

    static int fdType(FdRow fd, FileRow f) {
        if (fd.fd() <= 2) return FD_KEEP;  // stdio goes to the terminal (or whatever) the restart runs on
        if (f == null) return FD_NULL;
        return switch (f.type()) {
            case "reg" -> f.deleted() ? FD_NULL : FD_FILE;
            case "dir" -> FD_DIR;
            case "pipe" -> (f.flags() & 3) == 1 ? FD_PIPE_W : FD_PIPE_R;
            case "fifo", "chr", "tty" -> f.path() != null && f.path().startsWith("/") ? FD_FILE : FD_NULL;
            default -> FD_NULL;
        };
    }

    String mapPath(String path) {
        for (Map.Entry<String, String> m : pathMap.entrySet()) {
            String old = m.getKey();
            if (path.equals(old) || path.startsWith(old.endsWith("/") ? old : old + "/")) return m.getValue() + path.substring(old.length());
        }
        return path;
    }

    /** The OLD\0NEW\0 pairs libckpt.so reads after a restart, so later open() calls follow moved files too. */
    byte[] pathMapBytes() {
        StringBuilder b = new StringBuilder();
        pathMap.forEach((k, v) -> b.append(k).append('\0').append(v).append('\0'));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    boolean hasPathMap() { return !pathMap.isEmpty(); }

    private static long num(Properties p, String k) {
        String v = p.getProperty(k);
        return v == null ? 0 : Long.parseLong(v.trim());
    }

    private static long nz(Long v) { return v == null ? 0 : v; }

    static byte[] bytes(String s) { return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8); }

    /** Little-endian output with 8-byte padding after variable parts, as the loader reads it. */
    static final class Out {
        private final OutputStream os;
        private final ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        private final byte[] page = new byte[PAGE];

        Out(OutputStream os) { this.os = os; }

        Out i32(int v) throws IOException { b.clear(); b.putInt(v); os.write(b.array(), 0, 4); return this; }

        Out i64(long v) throws IOException { b.clear(); b.putLong(v); os.write(b.array(), 0, 8); return this; }

        void raw(byte[] x) throws IOException { os.write(x); }

        void padded(byte[] x) throws IOException {
            os.write(x);
            int pad = (8 - (x.length & 7)) & 7;
            os.write(new byte[pad]);
        }

        void segment(MemorySegment s) throws IOException {
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, 0, page, 0, PAGE);
            os.write(page);
        }
    }
}
