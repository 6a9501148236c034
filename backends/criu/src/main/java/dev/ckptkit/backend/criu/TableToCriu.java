package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.criu.proto.CoreEntry;
import dev.ckptkit.backend.criu.proto.FsEntry;
import dev.ckptkit.backend.criu.proto.InventoryEntry;
import dev.ckptkit.backend.criu.proto.MmEntry;
import dev.ckptkit.backend.criu.proto.PstreeEntry;
import dev.ckptkit.backend.criu.proto.TaskKobjIdsEntry;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.RlimitRow;
import dev.ckptkit.io.table.SignalRow;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.io.table.ThreadRow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * CRIU image files made from the common tables, for images that were not born in CRIU (userspace-style
 * checkpoints, ELF cores): inventory, pstree, core-TID per thread, ids, mm, pagemap and pages, fs, files and
 * fdinfo. Where the tables leave a CRIU field open, the userspace backend's glue record fills it (brk, each
 * thread's tid address); what neither has is written the way CRIU writes an unknown or default state (see the
 * backend README for the list). The result is decoded by crit and imports back to the same processes, threads,
 * areas, fds and pages.
 */
final class TableToCriu {
    private static final int CRIU_AT_VECTOR_SIZE = 44;
    private static final int PROT_EXEC = 4, PROT_WRITE = 2, PAGE = Pagemap.PAGE;

    private final CkptReader r;
    private final PageStore pages;
    private final List<ProcessRow> processes;
    private final CriuFileTable files;
    private final X86ThreadInfo.Features features;
    /** Writing for criu restore on this host rather than for export (see {@link #writeForRestore}). */
    private final boolean forRestore;

    private TableToCriu(CkptReader r, boolean forRestore) throws IOException {
        this.r = r;
        this.forRestore = forRestore;
        this.pages = r.pages();
        this.processes = treeOrder(r.table(Tables.PROCESSES));
        this.files = new CriuFileTable(r.table(Tables.FILES), r.table(Tables.PIPES), r.table(Tables.SOCKETS));
        var host = r.manifest().host();
        this.features = X86ThreadInfo.Features.of(host == null ? null : host.cpuFlags());
    }

    static void writeInto(CkptReader r, Path dir) throws IOException {
        new TableToCriu(r, false).write(dir);
    }

    /**
     * The same files for a criu restore on this host, plus the running kernel's vDSO pages where the image has none
     * (criu parses the checkpointed vDSO; see {@link HostVdso}). Refused when the image names another kernel.
     */
    static void writeForRestore(CkptReader r, Path dir) throws IOException {
        new TableToCriu(r, true).write(dir);
    }

    private void write(Path dir) throws IOException {
        if (processes.isEmpty()) throw new IOException(r.path() + ": the image holds no process; nothing to export to CRIU");
        List<ThreadRow> allThreads = r.table(Tables.THREADS);
        List<MemoryAreaRow> allAreas = r.table(Tables.MEMORY_AREAS);
        List<FdRow> allFds = r.table(Tables.FDS);
        List<SignalRow> signals = r.table(Tables.SIGNALS);
        List<RlimitRow> rlimits = r.table(Tables.RLIMITS);
        Set<Integer> pids = new HashSet<>();
        for (ProcessRow p : processes) pids.add(p.pid());
        List<PstreeEntry> pstree = new ArrayList<>();
        TaskKobjIdsEntry rootIds = TaskKobjIdsEntry.newBuilder().setVmId(1).setFilesId(1).setFsId(1).setSighandId(1).build();
        int n = 0;
        for (ProcessRow p : processes) {
            n++;
            int pid = p.pid();
            List<ThreadRow> threads = threadsOf(pid, allThreads);
            List<MemoryAreaRow> areas = allAreas.stream().filter(a -> a.pid() == pid).toList();
            UserspaceGlue glue = UserspaceGlue.of(r, pid);
            // one id of each kind per process (each has its own memory, fd table, fs and signal handlers); id 1 is
            // the inventory's root_ids, the restoring criu's own, which no task may share (pstree.c checks)
            TaskKobjIdsEntry ids = TaskKobjIdsEntry.newBuilder().setVmId(n + 1).setFilesId(n + 1).setFsId(n + 1).setSighandId(n + 1).build();
            ImageWriter.write(dir.resolve("ids-" + pid + ".img"), ImageKind.IDS, ids);
            ThreadRow main = threads.stream().filter(t -> t.tid() == pid).findFirst().orElse(threads.getFirst());
            for (ThreadRow t : threads) {
                CoreEntry.Builder core = CoreEntry.newBuilder().setMtype(1)
                        .setThreadInfo(X86ThreadInfo.of(t, glue.tidAddress(t.tid()), features))
                        .setThreadCore(CriuTaskEntries.threadCore(p, t, signals));
                if (t == main) core.setTc(CriuTaskEntries.taskCore(p, main, signals, rlimits));
                ImageWriter.write(dir.resolve("core-" + t.tid() + ".img"), ImageKind.CORE, core.build());
            }
            ImageWriter.write(dir.resolve("mm-" + pid + ".img"), ImageKind.MM, mm(p, main, areas, glue));
            CriuMemory.writePages(pages, pid, areas, n, dir, forRestore ? vdsoPages(pid, areas) : new TreeMap<>());
            FsEntry.Builder fs = FsEntry.newBuilder().setRootId(files.pathId(p.root() != null ? p.root() : "/"));
            fs.setCwdId(files.pathId(p.cwd() != null ? p.cwd() : "/"));
            ImageWriter.write(dir.resolve("fs-" + pid + ".img"), ImageKind.FS, fs.build());
            List<FdRow> fds = allFds.stream().filter(f -> f.pid() == pid).toList();
            ImageWriter.write(dir.resolve("fdinfo-" + (n + 1) + ".img"), ImageKind.FDINFO, files.fdinfo(fds));
            pstree.add(PstreeEntry.newBuilder().setPid(pid).setPpid(pids.contains(p.ppid()) ? p.ppid() : 0)
                    .setPgid(p.pgid()).setSid(p.sid()).addAllThreads(threads.stream().map(ThreadRow::tid).toList()).build());
        }
        ImageWriter.write(dir.resolve("pstree.img"), ImageKind.PSTREE, pstree);
        ImageWriter.write(dir.resolve("files.img"), ImageKind.FILES, files.entries());
        // images of format v1.1 (the only one CRIU reads), fdinfo per files id, no LSM
        ImageWriter.write(dir.resolve("inventory.img"), ImageKind.INVENTORY, InventoryEntry.newBuilder()
                .setImgVersion(CriuImageSet.IMAGES_V1_1).setFdinfoPerId(true).setRootIds(rootIds).setNsPerId(true)
                .setLsmtype(0).build());
    }

    /** The running kernel's vDSO for a process whose [vdso] area has no pages in the image, by page address. */
    private NavigableMap<Long, byte[]> vdsoPages(int pid, List<MemoryAreaRow> areas) throws IOException {
        NavigableMap<Long, byte[]> out = new TreeMap<>();
        MemoryAreaRow vdso = areas.stream().filter(a -> "vdso".equals(a.kind())).findFirst().orElse(null);
        if (vdso == null) return out;
        long first = pages.lowerBound(pid, vdso.start());
        if (first < pages.size() && pages.pidAt(first) == pid && Long.compareUnsigned(pages.vaddrAt(first), vdso.end()) < 0) {
            return out;  // the image has the vDSO's pages
        }
        var host = r.manifest().host();
        String taken = host == null ? null : host.kernelRelease(), running = HostVdso.kernelRelease();
        if (taken != null && !taken.equals(running)) {
            throw new IOException(r.path() + ": the image has no vDSO pages and was taken on kernel " + taken
                    + "; criu restore can use the running kernel's vDSO only on that kernel (this host runs " + running + ")");
        }
        byte[] bytes = HostVdso.read();
        if (bytes == null || bytes.length != vdso.end() - vdso.start()) {
            throw new IOException(r.path() + ": the image has no vDSO pages and the running kernel's vDSO ("
                    + (bytes == null ? "unreadable" : bytes.length + " bytes") + ") does not fit its [vdso] area of "
                    + (vdso.end() - vdso.start()) + " bytes");
        }
        for (int off = 0; off < bytes.length; off += PAGE) out.put(vdso.start() + off, Arrays.copyOfRange(bytes, off, off + PAGE));
        return out;
    }

    /** The threads of a process, main thread first; every one must have x86_64 registers. */
    private List<ThreadRow> threadsOf(int pid, List<ThreadRow> all) throws IOException {
        List<ThreadRow> out = new ArrayList<>();
        for (ThreadRow t : all) {
            if (t.pid() != pid) continue;
            if (!X86ThreadInfo.usable(t)) {
                throw new IOException(r.path() + ": thread " + t.tid() + " of pid " + pid + " has no x86_64 register set; CRIU images need one per thread");
            }
            if (t.tid() == pid) out.addFirst(t);
            else out.add(t);
        }
        if (out.isEmpty()) throw new IOException(r.path() + ": process " + pid + " has no threads with registers; CRIU images need them");
        return out;
    }

    private MmEntry mm(ProcessRow p, ThreadRow main, List<MemoryAreaRow> areas, UserspaceGlue glue) throws IOException {
        long sp = main.gpRegs().get(19);
        MemoryAreaRow stack = areas.stream().filter(a -> "stack".equals(a.kind())).findFirst()
                .orElse(areas.stream().filter(a -> Long.compareUnsigned(sp, a.start()) >= 0 && Long.compareUnsigned(sp, a.end()) < 0).findFirst().orElse(null));
        StackLayout layout = StackLayout.find(pages, p.pid(), stack, p.cmdline(), p.env());
        long startStack = layout != null ? layout.startStack() : stack != null ? Math.max(sp, stack.start()) : sp;
        MemoryAreaRow code = null, data = null, heap = null;
        for (MemoryAreaRow a : areas) {
            if ("heap".equals(a.kind())) heap = a;
            if (p.exe() == null || !p.exe().equals(a.path())) continue;
            if (code == null && (a.prot() & PROT_EXEC) != 0) code = a;
            if ((a.prot() & PROT_WRITE) != 0) data = a;
        }
        long startBrk = glue.startBrk(), brk = glue.brk();
        if (startBrk == 0 && heap != null) {
            startBrk = heap.start();
            brk = heap.end();
        } else if (startBrk == 0 && data != null) {
            startBrk = brk = (data.end() + PAGE - 1) & -PAGE;
        }
        MmEntry.Builder mm = MmEntry.newBuilder()
                .setMmStartCode(code != null ? code.start() : 0).setMmEndCode(code != null ? code.end() : 0)
                .setMmStartData(data != null ? data.start() : 0).setMmEndData(data != null ? data.end() : 0)
                .setMmStartStack(startStack).setMmStartBrk(startBrk).setMmBrk(brk)
                .setMmArgStart(layout != null ? layout.argStart() : startStack).setMmArgEnd(layout != null ? layout.argEnd() : startStack)
                .setMmEnvStart(layout != null ? layout.envStart() : startStack).setMmEnvEnd(layout != null ? layout.envEnd() : startStack)
                .setExeFileId(p.exe() != null ? files.pathId(p.exe()) : 0);
        // criu restore rejects more than its AT_VECTOR_SIZE (44) words, and its dump keeps at most that many
        if (layout != null) mm.addAllMmSavedAuxv(layout.auxv().subList(0, Math.min(CRIU_AT_VECTOR_SIZE, layout.auxv().size())));
        for (MemoryAreaRow a : areas) {
            mm.addVmas(CriuMemory.vma(a, files));
        }
        return mm.build();
    }

    /** Parents before their children, as pstree.img lists them (the order criu restore forks in). */
    private static List<ProcessRow> treeOrder(List<ProcessRow> rows) {
        Map<Integer, ProcessRow> byPid = new LinkedHashMap<>();
        for (ProcessRow p : rows) byPid.put(p.pid(), p);
        List<ProcessRow> out = new ArrayList<>();
        Set<Integer> done = new HashSet<>();
        for (ProcessRow p : rows) visit(p, byPid, done, out, new HashSet<>());
        return out;
    }

    private static void visit(ProcessRow p, Map<Integer, ProcessRow> byPid, Set<Integer> done, List<ProcessRow> out, Set<Integer> path) {
        if (done.contains(p.pid()) || !path.add(p.pid())) return;
        ProcessRow parent = byPid.get(p.ppid());
        if (parent != null && parent.pid() != p.pid()) visit(parent, byPid, done, out, path);
        if (done.add(p.pid())) out.add(p);
    }
}
