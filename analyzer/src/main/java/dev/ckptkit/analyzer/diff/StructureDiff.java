package dev.ckptkit.analyzer.diff;

import dev.ckptkit.analyzer.diff.Change.Category;
import dev.ckptkit.analyzer.inspect.Registers;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MountRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.io.table.ThreadRow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/** Table-level differences: host, processes, threads, fds (with their files and sockets) and mounts. */
final class StructureDiff {
    private final CkptReader a;
    private final CkptReader b;
    private final List<Change> out = new ArrayList<>();
    /** Pids only one image has: their threads and fds are implied by the process change, not listed. */
    private final java.util.Set<Integer> onlyOneSide = new java.util.HashSet<>();

    StructureDiff(CkptReader a, CkptReader b) {
        this.a = a;
        this.b = b;
    }

    List<Change> run() throws IOException {
        image();
        processes();
        threads();
        fds();
        mounts();
        return out;
    }

    private void image() throws IOException {
        Manifest.Host ha = a.manifest().host(), hb = b.manifest().host();
        Fields f = new Fields();
        f.cmp("hostname", ha == null ? null : ha.hostname(), hb == null ? null : hb.hostname());
        f.cmp("kernel", ha == null ? null : ha.kernelRelease(), hb == null ? null : hb.kernelRelease());
        f.cmp("arch", ha == null ? null : ha.arch(), hb == null ? null : hb.arch());
        f.cmp("cpu", ha == null ? null : ha.cpuModel(), hb == null ? null : hb.cpuModel());
        if (!f.isEmpty()) out.add(new Change(Category.IMAGE, Change.Kind.CHANGED, "host", f.list()));
    }

    private void processes() throws IOException {
        Map<Integer, ProcessRow> pa = byKey(a.table(Tables.PROCESSES), ProcessRow::pid);
        Map<Integer, ProcessRow> pb = byKey(b.table(Tables.PROCESSES), ProcessRow::pid);
        for (int pid : pa.keySet()) if (!pb.containsKey(pid)) onlyOneSide.add(pid);
        for (int pid : pb.keySet()) if (!pa.containsKey(pid)) onlyOneSide.add(pid);
        compare(Category.PROCESS, pa, pb, p -> "pid " + p.pid() + " (" + p.comm() + ")", (x, y) -> {
            Fields f = new Fields().cmp("ppid", x.ppid(), y.ppid()).cmp("pgid", x.pgid(), y.pgid()).cmp("sid", x.sid(), y.sid())
                    .cmp("comm", x.comm(), y.comm()).cmp("exe", x.exe(), y.exe()).cmp("cmdline", x.cmdline(), y.cmdline())
                    .cmp("uid", x.uid(), y.uid()).cmp("euid", x.euid(), y.euid()).cmp("suid", x.suid(), y.suid())
                    .cmp("fsuid", x.fsuid(), y.fsuid()).cmp("gid", x.gid(), y.gid()).cmp("egid", x.egid(), y.egid())
                    .cmp("sgid", x.sgid(), y.sgid()).cmp("fsgid", x.fsgid(), y.fsgid()).cmp("groups", x.groups(), y.groups())
                    .hex("cap_eff", x.capEff(), y.capEff()).hex("cap_prm", x.capPrm(), y.capPrm())
                    .cmp("cwd", x.cwd(), y.cwd()).cmp("root", x.root(), y.root()).cmp("state", x.state(), y.state())
                    .cmp("exit_code", x.exitCode(), y.exitCode()).cmp("threads", x.threads(), y.threads());
            env(f, x.env(), y.env());
            return f;
        });
    }

    /** Environment compared by variable, so one changed variable is one line. */
    private static void env(Fields f, List<String> x, List<String> y) {
        Map<String, String> ex = env(x), ey = env(y);
        TreeSet<String> keys = new TreeSet<>(ex.keySet());
        keys.addAll(ey.keySet());
        for (String k : keys) if (!Objects.equals(ex.get(k), ey.get(k))) f.add("env " + k, ex.get(k), ey.get(k));
    }

    private static Map<String, String> env(List<String> l) {
        Map<String, String> m = new LinkedHashMap<>();
        if (l != null) for (String kv : l) {
            int eq = kv.indexOf('=');
            m.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
        }
        return m;
    }

    private void threads() throws IOException {
        Map<String, ThreadRow> ta = byKey(bothSides(a.table(Tables.THREADS), ThreadRow::pid), t -> t.pid() + "/" + t.tid());
        Map<String, ThreadRow> tb = byKey(bothSides(b.table(Tables.THREADS), ThreadRow::pid), t -> t.pid() + "/" + t.tid());
        compare(Category.THREAD, ta, tb, t -> "pid " + t.pid() + " tid " + t.tid(), (x, y) -> {
            Fields f = new Fields().cmp("name", x.name(), y.name()).cmp("arch", x.arch(), y.arch());
            List<Long> rx = x.gpRegs() == null ? List.of() : x.gpRegs(), ry = y.gpRegs() == null ? List.of() : y.gpRegs();
            List<String> names = Registers.names(x.arch());
            for (int i = 0; i < Math.max(rx.size(), ry.size()); i++) {
                Long vx = i < rx.size() ? rx.get(i) : null, vy = i < ry.size() ? ry.get(i) : null;
                f.hex(i < names.size() ? names.get(i) : "reg" + i, vx, vy);
            }
            if (!Arrays.equals(x.fpRegs(), y.fpRegs())) {
                f.add("fp_state", x.fpRegs() == null ? null : x.fpRegs().length + " bytes",
                        y.fpRegs() == null ? null : y.fpRegs().length + " bytes (" + differing(x.fpRegs(), y.fpRegs()) + " differ)");
            }
            return f.hex("sig_blocked", x.sigBlocked(), y.sigBlocked()).hex("sig_pending", x.sigPending(), y.sigPending())
                    .cmp("syscall", x.syscall(), y.syscall());
        });
    }

    private static int differing(byte[] x, byte[] y) {
        if (x == null || y == null) return Math.max(x == null ? 0 : x.length, y == null ? 0 : y.length);
        int n = Math.abs(x.length - y.length);
        for (int i = 0; i < Math.min(x.length, y.length); i++) if (x[i] != y[i]) n++;
        return n;
    }

    /** An fd with what it points to: the open file description and, for sockets, the socket. */
    private record OpenFd(FdRow fd, FileRow file, SocketRow socket) {
        String subject() {
            String what = socket != null ? socket.family() + " " + socket.type() : file != null ? file.type() : "?";
            return "pid " + fd.pid() + " fd " + fd.fd() + " (" + what + ")";
        }
    }

    private Map<String, OpenFd> openFds(CkptReader r) throws IOException {
        Map<Long, FileRow> files = new HashMap<>();
        for (FileRow f : r.table(Tables.FILES)) files.put(f.id(), f);
        Map<Long, SocketRow> sockets = new HashMap<>();
        for (SocketRow s : r.table(Tables.SOCKETS)) sockets.put(s.fileId(), s);
        Map<String, OpenFd> out = new TreeMap<>();
        for (FdRow fd : r.table(Tables.FDS)) {
            if (onlyOneSide.contains(fd.pid())) continue;
            out.put(fd.pid() + "/" + fd.fd(), new OpenFd(fd, files.get(fd.fileId()), sockets.get(fd.fileId())));
        }
        return out;
    }

    private void fds() throws IOException {
        Map<String, OpenFd> fa = openFds(a), fb = openFds(b);
        compare(null, fa, fb, OpenFd::subject, (x, y) -> {
            Fields f = new Fields().cmp("cloexec", x.fd().cloexec(), y.fd().cloexec());
            FileRow p = x.file(), q = y.file();
            if (p == null || q == null) {
                f.cmp("file", p == null ? null : p.path(), q == null ? null : q.path());
            } else {
                f.cmp("type", p.type(), q.type()).cmp("path", p.path(), q.path()).cmp("flags", octal(p.flags()), octal(q.flags()))
                        .cmp("pos", p.pos(), q.pos()).cmp("size", p.size(), q.size()).cmp("deleted", p.deleted(), q.deleted())
                        .cmp("build_id", p.buildId(), q.buildId());
            }
            SocketRow s = x.socket(), t = y.socket();
            if (s != null && t != null) {
                f.cmp("family", s.family(), t.family()).cmp("socket_type", s.type(), t.type()).cmp("protocol", s.protocol(), t.protocol())
                        .cmp("state", s.state(), t.state()).cmp("local", s.local(), t.local()).cmp("peer", s.peer(), t.peer())
                        .cmp("backlog", s.backlog(), t.backlog());
            } else if (s != null || t != null) {
                f.cmp("socket", s == null ? null : s.family() + " " + s.local(), t == null ? null : t.family() + " " + t.local());
            }
            return f;
        });
    }

    private static String octal(int flags) { return "0" + Integer.toOctalString(flags); }

    private void mounts() throws IOException {
        compare(Category.MOUNT, mountsByPoint(a), mountsByPoint(b), m -> "mount " + m.mountpoint(), (x, y) ->
                new Fields().cmp("root", x.root(), y.root()).cmp("fstype", x.fstype(), y.fstype()).cmp("source", x.source(), y.source())
                        .cmp("options", x.options(), y.options()).cmp("external", x.external(), y.external()));
    }

    /** Mounts by mount point; mount ids are not stable across dumps. Stacked mounts get #2, #3... */
    private static Map<String, MountRow> mountsByPoint(CkptReader r) throws IOException {
        Map<String, MountRow> out = new TreeMap<>();
        for (MountRow m : r.table(Tables.MOUNTS)) {
            String k = m.mountpoint();
            for (int n = 2; out.containsKey(k); n++) k = m.mountpoint() + "#" + n;
            out.put(k, m);
        }
        return out;
    }

    private <V> List<V> bothSides(List<V> rows, java.util.function.ToIntFunction<V> pid) {
        return rows.stream().filter(r -> !onlyOneSide.contains(pid.applyAsInt(r))).toList();
    }

    private static <K, V> Map<K, V> byKey(List<V> rows, Function<V, K> key) {
        Map<K, V> m = new TreeMap<>();
        for (V v : rows) m.put(key.apply(v), v);
        return m;
    }

    interface Comparison<V> {
        Fields fields(V a, V b);
    }

    /** Added, removed and changed entries of two keyed tables; a null category means "fd or socket, by row". */
    private <K, V> void compare(Category c, Map<K, V> x, Map<K, V> y, Function<V, String> subject, Comparison<V> cmp) {
        for (var e : x.entrySet()) {
            V other = y.get(e.getKey());
            if (other == null) {
                out.add(Change.removed(categoryOf(c, e.getValue()), subject.apply(e.getValue())));
            } else {
                Fields f = cmp.fields(e.getValue(), other);
                if (!f.isEmpty()) out.add(new Change(categoryOf(c, other), Change.Kind.CHANGED, subject.apply(other), f.list()));
            }
        }
        for (var e : y.entrySet()) {
            if (!x.containsKey(e.getKey())) out.add(Change.added(categoryOf(c, e.getValue()), subject.apply(e.getValue())));
        }
    }

    private static Category categoryOf(Category c, Object row) {
        if (c != null) return c;
        return row instanceof OpenFd o && o.socket() != null ? Category.SOCKET : Category.FD;
    }
}
