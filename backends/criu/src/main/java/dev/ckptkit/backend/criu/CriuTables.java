package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.criu.proto.CoreEntry;
import dev.ckptkit.backend.criu.proto.CredsEntry;
import dev.ckptkit.backend.criu.proto.FdinfoEntry;
import dev.ckptkit.backend.criu.proto.FileEntry;
import dev.ckptkit.backend.criu.proto.FsEntry;
import dev.ckptkit.backend.criu.proto.InetSkEntry;
import dev.ckptkit.backend.criu.proto.ItimerEntry;
import dev.ckptkit.backend.criu.proto.MmEntry;
import dev.ckptkit.backend.criu.proto.MntEntry;
import dev.ckptkit.backend.criu.proto.PosixTimerEntry;
import dev.ckptkit.backend.criu.proto.PstreeEntry;
import dev.ckptkit.backend.criu.proto.RegFileEntry;
import dev.ckptkit.backend.criu.proto.SaEntry;
import dev.ckptkit.backend.criu.proto.SignalQueueEntry;
import dev.ckptkit.backend.criu.proto.SiginfoEntry;
import dev.ckptkit.backend.criu.proto.TaskCoreEntry;
import dev.ckptkit.backend.criu.proto.TaskKobjIdsEntry;
import dev.ckptkit.backend.criu.proto.ThreadCoreEntry;
import dev.ckptkit.backend.criu.proto.TtyInfoEntry;
import dev.ckptkit.backend.criu.proto.UnixSkEntry;
import dev.ckptkit.backend.criu.proto.VmaEntry;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.MountRow;
import dev.ckptkit.io.table.NamespaceRow;
import dev.ckptkit.io.table.PipeRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.RlimitRow;
import dev.ckptkit.io.table.SignalRow;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.ThreadRow;
import dev.ckptkit.io.table.TimerRow;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The common CKPT tables, made from the CRIU records of {@link CriuModel}. */
final class CriuTables {
    /** VMA status bits (criu/include/image.h). */
    static final int VMA_AREA_STACK = 1 << 1, VMA_AREA_VSYSCALL = 1 << 2, VMA_AREA_VDSO = 1 << 3, VMA_AREA_HEAP = 1 << 5,
            VMA_FILE_PRIVATE = 1 << 6, VMA_FILE_SHARED = 1 << 7, VMA_ANON_SHARED = 1 << 8, VMA_AREA_SYSVIPC = 1 << 10,
            VMA_AREA_VVAR = 1 << 12, VMA_AREA_MEMFD = 1 << 14;
    private static final int MAX_ARGS = 128 * 1024;
    private static final String[] RLIMITS = {"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
            "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
            "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME"};

    /** The name the rlimits table uses for resource number {@code i} (RLIMIT_CPU is 0). */
    static String rlimitName(int i) {
        return i < RLIMITS.length ? RLIMITS[i] : "RLIMIT_" + i;
    }

    private final CriuModel m;
    private final PageReader memory;

    CriuTables(CriuModel model) {
        this(model, PageReader.InParent.NONE);
    }

    /** With the parent image of an incremental dump, from which argv and environ are read when they are there. */
    CriuTables(CriuModel model, PageReader.InParent inParent) {
        this.m = model;
        this.memory = new PageReader(model.set, inParent);
    }

    List<ProcessRow> processes() throws CorruptImageException {
        Set<Integer> pids = new HashSet<>();
        for (PstreeEntry p : m.pstree) pids.add(p.getPid());
        List<ProcessRow> rows = new ArrayList<>();
        for (PstreeEntry p : m.pstree) {
            int pid = p.getPid();
            CoreEntry core = m.cores.get(pid);
            TaskCoreEntry tc = core != null && core.hasTc() ? core.getTc() : null;
            CredsEntry cr = core != null && core.hasThreadCore() && core.getThreadCore().hasCreds() ? core.getThreadCore().getCreds() : null;
            MmEntry mm = m.mms.get(pid);
            FsEntry fs = m.fs.get(pid);
            List<String> argv = mm == null ? null : strings(pid, mm.getMmArgStart(), mm.getMmArgEnd());
            List<String> env = mm == null ? null : strings(pid, mm.getMmEnvStart(), mm.getMmEnvEnd());
            rows.add(new ProcessRow(pid, pids.contains(p.getPpid()) ? p.getPpid() : 0, p.getPgid(), p.getSid(),
                    tc == null ? null : tc.getComm(), mm == null ? null : m.path(mm.getExeFileId()), argv, env,
                    cr == null ? null : u(cr.getUid()), cr == null ? null : u(cr.getEuid()),
                    cr == null ? null : u(cr.getSuid()), cr == null ? null : u(cr.getFsuid()),
                    cr == null ? null : u(cr.getGid()), cr == null ? null : u(cr.getEgid()),
                    cr == null ? null : u(cr.getSgid()), cr == null ? null : u(cr.getFsgid()),
                    cr == null ? null : cr.getGroupsList().stream().map(CriuTables::u).toList(),
                    cr == null ? null : caps(cr.getCapEffList()), cr == null ? null : caps(cr.getCapPrmList()),
                    fs == null ? null : m.path(fs.getCwdId()), fs == null ? null : m.path(fs.getRootId()),
                    tc == null ? null : state(tc.getTaskState()), tc == null ? null : tc.getExitCode(),
                    p.getThreadsCount(),
                    // CRIU seizes every task with PTRACE_SEIZE, which fails on a task that is already traced
                    // ("Unseizable non-zombie"), so a CRIU image only holds tasks nobody traced at dump time
                    0, cr != null && cr.hasLsmProfile() ? cr.getLsmProfile() : null));
        }
        return rows;
    }

    /** NUL-separated strings in [start, end) of a process's memory, read from the dumped pages. */
    private List<String> strings(int pid, long start, long end) {
        if (end <= start || end - start > MAX_ARGS) return null;
        byte[] b = memory.read(pid, start, (int) (end - start));
        if (b.length == 0) return null;
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == 0) {
                if (i > from || i < b.length) out.add(new String(b, from, i - from, StandardCharsets.UTF_8));
                from = i + 1;
            }
        }
        while (!out.isEmpty() && out.getLast().isEmpty()) out.removeLast();
        return out;
    }

    private static String state(int s) {
        return switch (s) {
            case 1 -> "running";
            case 2 -> "dead";
            case 3 -> "stopped";
            case 6 -> "zombie";
            default -> "state-" + s;
        };
    }

    List<ThreadRow> threads() throws CorruptImageException {
        XsaveLayout xsaveLayout = XsaveLayout.ofXsaveSize(CriuManifest.xsaveSize(m.set));
        List<ThreadRow> rows = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> e : m.threads().entrySet()) {
            CoreEntry main = m.cores.get(e.getKey());
            for (int tid : e.getValue()) {
                CoreEntry c = m.cores.get(tid);
                if (c == null) continue;
                ThreadCoreEntry tce = c.hasThreadCore() ? c.getThreadCore() : null;
                String name = tce != null && tce.hasComm() ? tce.getComm()
                        : main != null && main.hasTc() ? main.getTc().getComm() : null;
                Long blocked = tce != null && tce.hasBlkSigset() ? tce.getBlkSigset()
                        : c.hasTc() ? c.getTc().getBlkSigset() : null;
                Long pending = tce != null && tce.hasSignalsP() ? sigmask(tce.getSignalsP()) : null;
                if (c.getMtype() == 1 && c.hasThreadInfo()) {
                    var ti = c.getThreadInfo();
                    boolean xsave = ti.getFpregs().hasXsave();
                    long origAx = ti.getGpregs().getOrigAx();
                    rows.add(new ThreadRow(e.getKey(), tid, name, "x86_64", X86State.gpRegs(ti.getGpregs()),
                            X86State.fpArea(ti.getFpregs(), xsaveLayout), xsave ? "xsave" : "fxsave",
                            xsave ? ti.getFpregs().getXsave().getXstateBv() : null, blocked, pending,
                            origAx >= 0 ? origAx : null));
                } else {
                    rows.add(new ThreadRow(e.getKey(), tid, name, arch(c.getMtype()), List.of(), new byte[0], null, null,
                            blocked, pending, null));
                }
            }
        }
        return rows;
    }

    private static String arch(int mtype) {
        return switch (mtype) {
            case 1 -> "x86_64";
            case 2 -> "arm";
            case 3 -> "aarch64";
            case 4 -> "ppc64";
            case 5 -> "s390";
            case 6 -> "mips";
            case 7 -> "loongarch64";
            case 8 -> "riscv64";
            default -> "unknown";
        };
    }

    private static long sigmask(SignalQueueEntry q) {
        long mask = 0;
        for (SiginfoEntry s : q.getSignalsList()) {
            int signo = signo(s);
            if (signo >= 1 && signo <= 64) mask |= 1L << (signo - 1);
        }
        return mask;
    }

    private static int signo(SiginfoEntry s) {
        byte[] b = s.getSiginfo().toByteArray();
        return b.length < 4 ? 0 : ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    List<MemoryAreaRow> memoryAreas() {
        List<MemoryAreaRow> rows = new ArrayList<>();
        for (PstreeEntry p : m.pstree) {
            MmEntry mm = m.mms.get(p.getPid());
            if (mm == null) continue;
            for (VmaEntry v : mm.getVmasList()) {
                int st = v.getStatus();
                boolean file = (st & (VMA_FILE_PRIVATE | VMA_FILE_SHARED)) != 0;
                rows.add(new MemoryAreaRow(p.getPid(), v.getStart(), v.getEnd(), v.getProt(), v.getFlags(), v.getPgoff(),
                        file ? m.path((int) v.getShmid()) : null, kind(st, v, mm), null, null, Integer.toUnsignedLong(st)));
            }
        }
        return rows;
    }

    private static String kind(int st, VmaEntry v, MmEntry mm) {
        if ((st & VMA_AREA_VDSO) != 0) return "vdso";
        if ((st & VMA_AREA_VVAR) != 0) return "vvar";
        if ((st & VMA_AREA_VSYSCALL) != 0) return "vsyscall";
        if ((st & VMA_AREA_HEAP) != 0) return "heap";
        boolean holdsStack = Long.compareUnsigned(mm.getMmStartStack(), v.getStart()) >= 0
                && Long.compareUnsigned(mm.getMmStartStack(), v.getEnd()) < 0;
        if ((st & VMA_AREA_STACK) != 0 || holdsStack) return "stack";
        if ((st & (VMA_ANON_SHARED | VMA_AREA_SYSVIPC | VMA_AREA_MEMFD)) != 0) return "shmem";
        if ((st & (VMA_FILE_PRIVATE | VMA_FILE_SHARED)) != 0) return "file";
        return "anon";
    }

    List<FileRow> files() {
        List<FileRow> rows = new ArrayList<>();
        for (FileEntry f : m.files.values()) {
            String type;
            Long pos = null, size = null, inode = null;
            Integer mode = null, flags = 0;
            boolean deleted = false;
            String buildId = null;
            Integer ttySid = null, ttyPgrp = null, ttyIndex = null;
            switch (f.getType()) {
                case FdType.REG -> {
                    RegFileEntry r = f.getReg();
                    flags = r.getFlags();
                    pos = r.getPos();
                    size = r.hasSize() ? r.getSize() : null;
                    mode = r.hasMode() ? r.getMode() : null;
                    var remap = m.remaps.get(f.getId());
                    deleted = remap != null && remap.getRemapType() == 1;
                    buildId = buildId(r.getBuildIdList());
                }
                case FdType.PIPE -> {
                    flags = f.getPipe().getFlags();
                    inode = Integer.toUnsignedLong(f.getPipe().getPipeId());
                }
                case FdType.FIFO -> inode = Integer.toUnsignedLong(f.getFifo().getPipeId());
                case FdType.INETSK -> {
                    flags = f.getIsk().getFlags();
                    inode = Integer.toUnsignedLong(f.getIsk().getIno());
                }
                case FdType.UNIXSK -> {
                    flags = f.getUsk().getFlags();
                    inode = Integer.toUnsignedLong(f.getUsk().getIno());
                }
                case FdType.MEMFD -> {
                    flags = f.getMemfd().getFlags();
                    pos = f.getMemfd().getPos();
                }
                case FdType.EVENTFD -> flags = f.getEfd().getFlags();
                case FdType.TIMERFD -> flags = f.getTfd().getFlags();
                case FdType.TTY -> {
                    flags = f.getTty().getFlags();
                    TtyInfoEntry ti = m.ttyInfo.get(f.getTty().getTtyInfoId());
                    if (ti != null) {
                        ttySid = ti.getSid();
                        ttyPgrp = ti.getPgrp();
                        ttyIndex = ti.hasPty() ? ti.getPty().getIndex() : null;
                    }
                }
                default -> { }
            }
            type = FdType.tableType(f.getType(), mode);
            rows.add(new FileRow(Integer.toUnsignedLong(f.getId()), type, m.path(f.getId()), flags, pos, size, mode, inode,
                    null, deleted, null, buildId, null, ttySid, ttyPgrp, ttyIndex));
        }
        return rows;
    }

    /** CRIU keeps the ELF note's build-id bytes as native (little-endian) u32 words; back to the bytes, as hex. */
    static String buildId(List<Integer> words) {
        if (words.isEmpty()) return null;
        StringBuilder sb = new StringBuilder(words.size() * 8);
        for (int w : words) {
            for (int i = 0; i < 4; i++) sb.append(String.format("%02x", (w >>> (8 * i)) & 0xff));
        }
        return sb.toString();
    }

    List<FdRow> fds() throws CorruptImageException {
        List<FdRow> rows = new ArrayList<>();
        for (PstreeEntry p : m.pstree) {
            for (FdinfoEntry fd : m.fdinfo(p.getPid())) {
                rows.add(new FdRow(p.getPid(), fd.getFd(), Integer.toUnsignedLong(fd.getId()), (fd.getFlags() & 1) != 0));
            }
        }
        return rows;
    }

    List<PipeRow> pipes() {
        List<PipeRow> rows = new ArrayList<>();
        for (FileEntry f : m.files.values()) {
            if (f.getType() == FdType.PIPE) {
                int id = f.getPipe().getPipeId();
                rows.add(new PipeRow(Integer.toUnsignedLong(f.getId()), Integer.toUnsignedLong(id), null, f.getPipe().getFlags(),
                        m.pipeData.getOrDefault(id, 0L)));
            } else if (f.getType() == FdType.FIFO) {
                int id = f.getFifo().getPipeId();
                FileEntry reg = f.getFifo().hasRegfId() ? m.files.get(f.getFifo().getRegfId()) : null;
                rows.add(new PipeRow(Integer.toUnsignedLong(f.getId()), Integer.toUnsignedLong(id), m.path(f.getId()),
                        reg != null && reg.hasReg() ? reg.getReg().getFlags() : 0, m.pipeData.getOrDefault(id, 0L)));
            }
        }
        return rows;
    }

    List<SocketRow> sockets() {
        List<SocketRow> rows = new ArrayList<>();
        for (FileEntry f : m.files.values()) {
            long id = Integer.toUnsignedLong(f.getId());
            switch (f.getType()) {
                case FdType.INETSK -> {
                    InetSkEntry s = f.getIsk();
                    boolean v6 = s.getFamily() == 10;
                    String state = s.getProto() == 6 || s.getType() == 1 ? SocketRow.tcpState(s.getState()) : null;
                    rows.add(new SocketRow(id, v6 ? "inet6" : "inet", sockType(s.getType()), s.getProto(), state,
                            address(s.getSrcAddrList(), s.getSrcPort(), v6), s.getState() == 10 ? null : address(s.getDstAddrList(), s.getDstPort(), v6),
                            Integer.toUnsignedLong(s.getIno()), null, s.getState() == 10 ? s.getBacklog() : null));
                }
                case FdType.UNIXSK -> {
                    UnixSkEntry s = f.getUsk();
                    String name = s.getName().isEmpty() ? null : unixName(s.getName().toByteArray());
                    rows.add(new SocketRow(id, "unix", sockType(s.getType()), 0, SocketRow.tcpState(s.getState()), name, null,
                            Integer.toUnsignedLong(s.getIno()), s.getPeer() == 0 ? null : Integer.toUnsignedLong(s.getPeer()),
                            s.getState() == 10 ? s.getBacklog() : null));
                }
                case FdType.PACKETSK -> rows.add(new SocketRow(id, "packet", sockType(f.getPsk().getType()),
                        f.getPsk().getProtocol(), null, null, null, null, null, null));
                case FdType.NETLINKSK -> rows.add(new SocketRow(id, "netlink", "raw", f.getNlsk().getProtocol(), null,
                        Integer.toUnsignedString(f.getNlsk().getPortid()), null, Integer.toUnsignedLong(f.getNlsk().getIno()), null, null));
                default -> { }
            }
        }
        return rows;
    }

    private static String unixName(byte[] b) {
        // abstract sockets start with a NUL byte; show them as "@name" like ss(8) does
        return b[0] == 0 ? "@" + new String(b, 1, b.length - 1, StandardCharsets.UTF_8) : new String(b, StandardCharsets.UTF_8);
    }

    private static String sockType(int t) {
        return switch (t) {
            case 1 -> "stream";
            case 2 -> "dgram";
            case 3 -> "raw";
            case 5 -> "seqpacket";
            default -> "type-" + t;
        };
    }

    /** CRIU keeps addresses as the in_addr/in6_addr bytes read as native-endian (little-endian) 32-bit words. */
    static String address(List<Integer> words, int port, boolean v6) {
        int n = v6 ? 16 : 4;
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < Math.min(words.size(), 4); i++) b.putInt(i * 4, words.get(i));
        try {
            InetAddress a = InetAddress.getByAddress(Arrays.copyOf(b.array(), n));
            String host = a.getHostAddress();
            return v6 ? "[" + host + "]:" + port : host + ":" + port;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
        }
    }

    List<MountRow> mounts() {
        List<MountRow> rows = new ArrayList<>();
        for (Map.Entry<Long, List<MntEntry>> e : m.mounts.entrySet()) {
            for (MntEntry mnt : e.getValue()) {
                rows.add(new MountRow(mnt.getMntId(), mnt.getParentMntId(), mnt.getMountpoint(), mnt.getRoot(),
                        mnt.hasFsname() ? mnt.getFsname() : fsType(mnt.getFstype()), mnt.getSource(), mnt.getOptions(),
                        Integer.toUnsignedLong(mnt.getRootDev()), e.getKey(), mnt.getExtMount() || mnt.hasExtKey()));
            }
        }
        return rows;
    }

    private static String fsType(int t) {
        return switch (t) {
            case 1 -> "proc";
            case 2 -> "sysfs";
            case 3 -> "devtmpfs";
            case 4 -> "binfmt_misc";
            case 5 -> "tmpfs";
            case 6 -> "devpts";
            case 7 -> "simfs";
            case 8 -> "pstore";
            case 9 -> "securityfs";
            case 10 -> "fusectl";
            case 11 -> "debugfs";
            case 12 -> "cgroup";
            case 13 -> "aufs";
            case 14 -> "mqueue";
            case 15 -> "fuse";
            case 17 -> "overlay";
            case 18 -> "autofs";
            case 19 -> "tracefs";
            case 23 -> "cgroup2";
            default -> "unsupported";
        };
    }

    List<NamespaceRow> namespaces() {
        List<NamespaceRow> rows = new ArrayList<>();
        for (PstreeEntry p : m.pstree) {
            TaskKobjIdsEntry i = m.ids.get(p.getPid());
            if (i == null) continue;
            if (i.hasPidNsId()) rows.add(ns(p, "pid", i.getPidNsId()));
            if (i.hasNetNsId()) rows.add(ns(p, "net", i.getNetNsId()));
            if (i.hasMntNsId()) rows.add(ns(p, "mnt", i.getMntNsId()));
            if (i.hasIpcNsId()) rows.add(ns(p, "ipc", i.getIpcNsId()));
            if (i.hasUtsNsId()) rows.add(ns(p, "uts", i.getUtsNsId()));
            if (i.hasUserNsId()) rows.add(ns(p, "user", i.getUserNsId()));
            if (i.hasCgroupNsId()) rows.add(ns(p, "cgroup", i.getCgroupNsId()));
            if (i.hasTimeNsId()) rows.add(ns(p, "time", i.getTimeNsId()));
        }
        return rows;
    }

    private static NamespaceRow ns(PstreeEntry p, String type, int id) {
        return new NamespaceRow(p.getPid(), type, Integer.toUnsignedLong(id));
    }

    /** Dispositions that are not SIG_DFL, then pending signals (shared, then per thread). */
    List<SignalRow> signals() {
        List<SignalRow> rows = new ArrayList<>();
        for (PstreeEntry p : m.pstree) {
            CoreEntry c = m.cores.get(p.getPid());
            if (c == null || !c.hasTc()) continue;
            List<SaEntry> sa = c.getTc().getSigactionsList();
            // CRIU saves one sigaction per signal 1..64 except SIGKILL (9) and SIGSTOP (19), which cannot be caught
            int i = 0;
            for (int signo = 1; signo <= 64 && i < sa.size(); signo++) {
                if (signo == 9 || signo == 19) continue;
                SaEntry a = sa.get(i++);
                if (a.getSigaction() == 0 && a.getFlags() == 0 && a.getMask() == 0) continue;
                rows.add(new SignalRow(p.getPid(), 0, signo, "action", a.getSigaction(), a.getFlags(), a.getMask(), a.getRestorer()));
            }
            if (c.getTc().hasSignalsS()) pending(rows, p.getPid(), 0, c.getTc().getSignalsS());
            for (int tid : p.getThreadsList()) {
                CoreEntry t = m.cores.get(tid);
                if (t != null && t.hasThreadCore() && t.getThreadCore().hasSignalsP()) pending(rows, p.getPid(), tid, t.getThreadCore().getSignalsP());
            }
        }
        return rows;
    }

    private static void pending(List<SignalRow> rows, int pid, int tid, SignalQueueEntry q) {
        for (SiginfoEntry s : q.getSignalsList()) rows.add(new SignalRow(pid, tid, signo(s), "pending", null, null, null, null));
    }

    List<TimerRow> timers() {
        List<TimerRow> rows = new ArrayList<>();
        for (PstreeEntry p : m.pstree) {
            CoreEntry c = m.cores.get(p.getPid());
            if (c == null || !c.hasTc() || !c.getTc().hasTimers()) continue;
            var t = c.getTc().getTimers();
            itimer(rows, p.getPid(), "itimer-real", t.getReal(), 14);
            itimer(rows, p.getPid(), "itimer-virt", t.getVirt(), 26);
            itimer(rows, p.getPid(), "itimer-prof", t.getProf(), 27);
            for (PosixTimerEntry pt : t.getPosixList()) {
                rows.add(new TimerRow(p.getPid(), "posix", Integer.toUnsignedLong(pt.getItId()), pt.getClockId(),
                        pt.getIsec() * 1_000_000_000L + pt.getInsec(), pt.getVsec() * 1_000_000_000L + pt.getVnsec(), pt.getSiSigno()));
            }
        }
        for (FileEntry f : m.files.values()) {
            if (f.getType() != FdType.TIMERFD) continue;
            var t = f.getTfd();
            rows.add(new TimerRow(0, "timerfd", Integer.toUnsignedLong(f.getId()), t.getClockid(),
                    t.getIsec() * 1_000_000_000L + t.getInsec(), t.getVsec() * 1_000_000_000L + t.getVnsec(), null));
        }
        return rows;
    }

    /** An itimer only when armed (value or interval set), with the signal it delivers (SIGALRM, SIGVTALRM, SIGPROF). */
    private static void itimer(List<TimerRow> rows, int pid, String kind, ItimerEntry e, int signo) {
        if (e.getIsec() == 0 && e.getIusec() == 0 && e.getVsec() == 0 && e.getVusec() == 0) return;
        rows.add(new TimerRow(pid, kind, 0, null, e.getIsec() * 1_000_000_000L + e.getIusec() * 1000,
                e.getVsec() * 1_000_000_000L + e.getVusec() * 1000, signo));
    }

    List<RlimitRow> rlimits() {
        List<RlimitRow> rows = new ArrayList<>();
        for (PstreeEntry p : m.pstree) {
            CoreEntry c = m.cores.get(p.getPid());
            if (c == null || !c.hasTc() || !c.getTc().hasRlimits()) continue;
            var list = c.getTc().getRlimits().getRlimitsList();
            for (int i = 0; i < list.size(); i++) {
                rows.add(new RlimitRow(p.getPid(), rlimitName(i), list.get(i).getCur(), list.get(i).getMax()));
            }
        }
        return rows;
    }

    private static Long u(int v) {
        return Integer.toUnsignedLong(v);
    }

    private static Long caps(List<Integer> words) {
        long v = 0;
        for (int i = 0; i < Math.min(2, words.size()); i++) v |= Integer.toUnsignedLong(words.get(i)) << (32 * i);
        return v;
    }
}
