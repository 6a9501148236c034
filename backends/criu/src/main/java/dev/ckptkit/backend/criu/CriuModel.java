package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.criu.proto.CgroupEntry;
import dev.ckptkit.backend.criu.proto.CoreEntry;
import dev.ckptkit.backend.criu.proto.FdinfoEntry;
import dev.ckptkit.backend.criu.proto.FileEntry;
import dev.ckptkit.backend.criu.proto.FifoEntry;
import dev.ckptkit.backend.criu.proto.FsEntry;
import dev.ckptkit.backend.criu.proto.InetSkEntry;
import dev.ckptkit.backend.criu.proto.MmEntry;
import dev.ckptkit.backend.criu.proto.MntEntry;
import dev.ckptkit.backend.criu.proto.PipeDataEntry;
import dev.ckptkit.backend.criu.proto.PipeEntry;
import dev.ckptkit.backend.criu.proto.PstreeEntry;
import dev.ckptkit.backend.criu.proto.RegFileEntry;
import dev.ckptkit.backend.criu.proto.RemapFilePathEntry;
import dev.ckptkit.backend.criu.proto.TaskKobjIdsEntry;
import dev.ckptkit.backend.criu.proto.TtyInfoEntry;
import dev.ckptkit.backend.criu.proto.UnixSkEntry;
import dev.ckptkit.io.CorruptImageException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The decoded records of a CRIU image set that the common tables are made of, with the lookups between them. */
final class CriuModel {
    final CriuImageSet set;
    final List<PstreeEntry> pstree;
    final Map<Integer, CoreEntry> cores = new HashMap<>();
    final Map<Integer, MmEntry> mms = new HashMap<>();
    final Map<Integer, TaskKobjIdsEntry> ids = new HashMap<>();
    final Map<Integer, FsEntry> fs = new HashMap<>();
    /** files.img entries by id (older images: reg-files, pipes, fifo, inetsk, unixsk folded in). */
    final Map<Integer, FileEntry> files = new TreeMap<>();
    final Map<Integer, RemapFilePathEntry> remaps = new HashMap<>();
    /** bytes buffered per pipe id, from pipes-data and fifo-data */
    final Map<Integer, Long> pipeData = new HashMap<>();
    /** mountpoints-N.img entries by mount namespace id */
    final Map<Long, List<MntEntry>> mounts = new TreeMap<>();
    /** tty-info.img entries by id (tty_file_entry.tty_info_id) */
    final Map<Integer, TtyInfoEntry> ttyInfo = new HashMap<>();
    /** cgroup.img, or null when the dump has none (the tasks were in criu's own cgroups) */
    final CgroupEntry cgroups;

    CriuModel(CriuImageSet set) throws CorruptImageException {
        this.set = set;
        CriuImage ps = set.image("pstree.img");
        this.pstree = ps == null || ps.kind() != ImageKind.PSTREE ? List.of() : ps.decodeAll(PstreeEntry.parser());
        for (PstreeEntry p : pstree) {
            for (int tid : p.getThreadsList()) put(cores, tid, "core-" + tid + ".img", ImageKind.CORE, CoreEntry.parser());
            put(mms, p.getPid(), "mm-" + p.getPid() + ".img", ImageKind.MM, MmEntry.parser());
            put(fs, p.getPid(), "fs-" + p.getPid() + ".img", ImageKind.FS, FsEntry.parser());
            CoreEntry core = cores.get(p.getPid());
            if (core != null && core.hasIds()) ids.put(p.getPid(), core.getIds());
            else put(ids, p.getPid(), "ids-" + p.getPid() + ".img", ImageKind.IDS, TaskKobjIdsEntry.parser());
        }
        for (FileEntry f : all("files.img", ImageKind.FILES, FileEntry.parser())) files.put(f.getId(), f);
        for (RegFileEntry r : all("reg-files.img", ImageKind.REG_FILES, RegFileEntry.parser()))
            files.putIfAbsent(r.getId(), FileEntry.newBuilder().setType(FdType.REG).setId(r.getId()).setReg(r).build());
        for (PipeEntry r : all("pipes.img", ImageKind.PIPES, PipeEntry.parser()))
            files.putIfAbsent(r.getId(), FileEntry.newBuilder().setType(FdType.PIPE).setId(r.getId()).setPipe(r).build());
        for (FifoEntry r : all("fifo.img", ImageKind.FIFO, FifoEntry.parser()))
            files.putIfAbsent(r.getId(), FileEntry.newBuilder().setType(FdType.FIFO).setId(r.getId()).setFifo(r).build());
        for (InetSkEntry r : all("inetsk.img", ImageKind.INETSK, InetSkEntry.parser()))
            files.putIfAbsent(r.getId(), FileEntry.newBuilder().setType(FdType.INETSK).setId(r.getId()).setIsk(r).build());
        for (UnixSkEntry r : all("unixsk.img", ImageKind.UNIXSK, UnixSkEntry.parser()))
            files.putIfAbsent(r.getId(), FileEntry.newBuilder().setType(FdType.UNIXSK).setId(r.getId()).setUsk(r).build());
        for (RemapFilePathEntry r : all("remap-fpath.img", ImageKind.REMAP_FPATH, RemapFilePathEntry.parser())) remaps.put(r.getOrigId(), r);
        for (String data : List.of("pipes-data.img", "fifo-data.img")) {
            CriuImage img = set.image(data);
            if (img == null || !img.framed()) continue;
            for (CriuImage.Entry e : img.entries()) {
                PipeDataEntry pd = img.decode(e, PipeDataEntry.parser());
                pipeData.merge(pd.getPipeId(), Integer.toUnsignedLong(pd.getBytes()), Long::sum);
            }
        }
        for (TtyInfoEntry t : all("tty-info.img", ImageKind.TTY_INFO, TtyInfoEntry.parser())) ttyInfo.put(t.getId(), t);
        List<CgroupEntry> cg = all("cgroup.img", ImageKind.CGROUP, CgroupEntry.parser());
        this.cgroups = cg.isEmpty() ? null : cg.getFirst();
        for (Map.Entry<String, CriuImage> e : set.images().entrySet()) {
            String n = e.getKey();
            if (e.getValue().kind() == ImageKind.MNTS && n.startsWith("mountpoints-") && n.endsWith(".img")) {
                long ns = parseId(n.substring("mountpoints-".length(), n.length() - 4));
                mounts.put(ns, e.getValue().decodeAll(MntEntry.parser()));
            }
        }
    }

    private static long parseId(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private <T> void put(Map<Integer, T> into, int key, String name, ImageKind kind, com.google.protobuf.Parser<T> parser) throws CorruptImageException {
        CriuImage img = set.image(name);
        if (img != null && img.kind() == kind && !img.entries().isEmpty()) into.put(key, img.decodeOne(parser));
    }

    private <T> List<T> all(String name, ImageKind kind, com.google.protobuf.Parser<T> parser) throws CorruptImageException {
        CriuImage img = set.image(name);
        return img == null || img.kind() != kind ? List.of() : img.decodeAll(parser);
    }

    /** The fds of a process: fdinfo-FILES_ID.img when the inventory says fdinfo_per_id, else fdinfo-PID.img. */
    List<FdinfoEntry> fdinfo(int pid) throws CorruptImageException {
        TaskKobjIdsEntry i = ids.get(pid);
        String name = set.inventory().getFdinfoPerId() && i != null ? "fdinfo-" + Integer.toUnsignedString(i.getFilesId()) + ".img"
                : "fdinfo-" + pid + ".img";
        return all(name, ImageKind.FDINFO, FdinfoEntry.parser());
    }

    /** Path of a file id: a regular file's name, or a description like the kernel's for others. */
    String path(int fileId) {
        FileEntry f = files.get(fileId);
        if (f == null) return null;
        return switch (f.getType()) {
            case FdType.REG -> f.getReg().getName();
            case FdType.PIPE -> "pipe:[" + Integer.toUnsignedString(f.getPipe().getPipeId()) + "]";
            case FdType.FIFO -> f.getFifo().hasRegfId() ? path(f.getFifo().getRegfId()) : null;
            case FdType.INETSK -> "socket:[" + Integer.toUnsignedString(f.getIsk().getIno()) + "]";
            case FdType.UNIXSK -> "socket:[" + Integer.toUnsignedString(f.getUsk().getIno()) + "]";
            case FdType.NETLINKSK -> "socket:[" + Integer.toUnsignedString(f.getNlsk().getIno()) + "]";
            case FdType.EVENTFD -> "anon_inode:[eventfd]";
            case FdType.EVENTPOLL -> "anon_inode:[eventpoll]";
            case FdType.SIGNALFD -> "anon_inode:[signalfd]";
            case FdType.TIMERFD -> "anon_inode:[timerfd]";
            case FdType.INOTIFY -> "anon_inode:inotify";
            case FdType.TTY -> f.getTty().hasRegfId() ? path(f.getTty().getRegfId()) : null;
            default -> null;
        };
    }

    /** pids in pstree order, with the thread ids of each. */
    Map<Integer, List<Integer>> threads() {
        Map<Integer, List<Integer>> m = new LinkedHashMap<>();
        for (PstreeEntry p : pstree) m.put(p.getPid(), new ArrayList<>(p.getThreadsList()));
        return m;
    }
}
