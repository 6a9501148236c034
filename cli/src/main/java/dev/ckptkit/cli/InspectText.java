package dev.ckptkit.cli;

import dev.ckptkit.analyzer.inspect.AreaInfo;
import dev.ckptkit.analyzer.inspect.FdInfo;
import dev.ckptkit.analyzer.inspect.Flags;
import dev.ckptkit.analyzer.inspect.MountInfo;
import dev.ckptkit.analyzer.inspect.ProcessInfo;
import dev.ckptkit.analyzer.inspect.SocketInfo;
import dev.ckptkit.analyzer.inspect.ThreadInfo;
import dev.ckptkit.io.table.MountRow;
import dev.ckptkit.io.table.SocketRow;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** Human output of the inspection commands: tables and trees in the spirit of ps f, /proc/PID/maps and crit x. */
final class InspectText {
    private InspectText() {}

    static void processes(PrintWriter o, List<ProcessInfo> ps, boolean env) {
        o.printf("%-8s %-8s %-8s %-8s %4s  %s%n", "PID", "PPID", "PGID", "SID", "THR", "COMMAND");
        for (ProcessInfo p : ps) {
            String indent = p.depth() == 0 ? "" : "  ".repeat(p.depth() - 1) + "\\_ ";
            String cmd = p.cmdline().isEmpty() ? "[" + nz(p.comm()) + "]" : String.join(" ", p.cmdline());
            String comm = p.comm() == null || p.cmdline().isEmpty() || p.cmdline().getFirst().endsWith(p.comm()) ? "" : " (" + p.comm() + ")";
            o.printf("%-8d %-8d %-8d %-8d %4d  %s%s%s%n", p.pid(), p.ppid(), p.pgid(), p.sid(), p.threads(), indent, cmd, comm);
            if (env) for (String e : p.env()) o.printf("%43s%s%n", "", e);
        }
    }

    static void threads(PrintWriter o, List<ThreadInfo> ts, Map<Integer, String> comms) {
        for (ThreadInfo t : ts) {
            o.printf("pid %d (%s) tid %d%s  %s%n", t.pid(), nz(comms.get(t.pid())), t.tid(),
                    t.name() == null ? "" : " \"" + t.name() + "\"", nz(t.arch()));
            List<ThreadInfo.Register> gp = t.gp();
            for (int i = 0; i < gp.size(); i += 3) {
                StringBuilder sb = new StringBuilder("  ");
                for (int k = i; k < Math.min(gp.size(), i + 3); k++) {
                    sb.append(String.format("%-8s 0x%016x   ", gp.get(k).name(), gp.get(k).value()));
                }
                o.println(sb.toString().stripTrailing());
            }
            for (ThreadInfo.Register r : gp) if (r.name().equals("eflags")) o.printf("  eflags   %s%n", Flags.eflags(r.value()));
            o.printf("  sigblocked %s  sigpending %s  syscall %s%n", hexOrDash(t.sigBlocked()), hexOrDash(t.sigPending()),
                    t.syscall() == null ? "-" : t.syscall());
            ThreadInfo.FpState fp = t.fp();
            if (fp != null) {
                o.printf("  fp: %s (%d bytes)%s  fcw 0x%x  fsw 0x%x  ftw 0x%x  mxcsr 0x%x%n", fp.format(), fp.size(),
                        fp.xstateBv() == null ? "" : "  xstate_bv 0x" + Long.toHexString(fp.xstateBv()), fp.fcw(), fp.fsw(), fp.ftw(), fp.mxcsr());
                int zero = 0;
                for (int i = 0; i < fp.vectors().size(); i++) {
                    String v = fp.vectors().get(i);
                    if (v.chars().skip(2).allMatch(c -> c == '0')) zero++;
                    else o.printf("  %-6s %s%n", fp.vectorNames().get(i), v);
                }
                if (zero > 0) o.printf("  (%d %s registers are zero)%n", zero, fp.vectorNames().getFirst().substring(0, 3));
            }
            o.println();
        }
    }

    static void areas(PrintWriter o, List<AreaInfo> as, Map<Integer, String> comms) {
        int pid = Integer.MIN_VALUE;
        for (AreaInfo a : as) {
            if (a.pid() != pid) {
                if (pid != Integer.MIN_VALUE) o.println();
                pid = a.pid();
                o.printf("pid %d (%s)%n", pid, nz(comms.get(pid)));
                o.printf("%-33s %-4s %-8s %-5s %-9s %9s %9s %9s %9s  %s%n", "START-END", "PERM", "OFFSET", "DEV", "INODE",
                        "SIZE", "DUMPED", "ZERO", "SHARED", "NAME");
            }
            AreaInfo.PageCounts c = a.pages();
            o.printf("%-33s %-4s %08x %-5s %-9s %9s %9s %9s %9s  %s%s%n", Long.toHexString(a.start()) + "-" + Long.toHexString(a.end()),
                    a.perms(), a.pgoff(), a.dev() == null ? "-" : dev(a.dev()), a.inode() == null ? "-" : a.inode(), kib(a.size()),
                    kib(c.dumped() * 4096), kib(c.zero() * 4096), kib(c.shared() * 4096), a.name(),
                    c.absent() > 0 ? "  (" + c.absent() + " pages in parent image)" : "");
        }
    }

    static void fds(PrintWriter o, List<ProcessInfo> procs, List<FdInfo> fds) {
        for (ProcessInfo p : procs) {
            o.printf("pid %d (%s)%n", p.pid(), nz(p.comm()));
            o.printf("  %5s  %-8s %-30s %10s  %s%n", "FD", "TYPE", "FLAGS", "POS", "TARGET");
            for (FdInfo f : fds) {
                if (f.pid() != p.pid()) continue;
                o.printf("  %5d  %-8s %-30s %10s  %s%s%n", f.fd(), f.type(), Flags.open(f.flags()) + (f.cloexec() ? "|O_CLOEXEC" : ""),
                        f.pos() == null ? "-" : f.pos(), f.target(), f.detail() == null ? "" : "  (" + f.detail() + ")");
            }
            o.printf("  %5s  %s%n", "cwd", nz(p.cwd()));
            o.printf("  %5s  %s%n", "root", nz(p.root()));
        }
    }

    static void sockets(PrintWriter o, List<SocketInfo> ss) {
        o.printf("%-7s %-10s %-6s %-12s %-28s %-28s %-10s %s%n", "FAMILY", "TYPE", "PROTO", "STATE", "LOCAL", "PEER", "INODE", "HELD BY (PID/FD)");
        for (SocketInfo s : ss) {
            SocketRow r = s.socket();
            o.printf("%-7s %-10s %-6s %-12s %-28s %-28s %-10s %s%n", nz(r.family()), nz(r.type()), proto(r.protocol()), dash(r.state()),
                    dash(r.local()), dash(r.peer()), r.inode() == null ? "-" : r.inode(), s.holders().isEmpty() ? "-" : String.join(" ", s.holders()));
        }
    }

    static void mounts(PrintWriter o, List<MountInfo> ms) {
        o.printf("%-5s %-5s %-40s %-10s %-20s %s%n", "ID", "PARENT", "MOUNTPOINT", "FSTYPE", "SOURCE", "OPTIONS");
        for (MountInfo m : ms) {
            MountRow r = m.mount();
            String mp = "  ".repeat(m.depth()) + nz(r.mountpoint()) + (r.root() != null && !r.root().equals("/") ? " [" + r.root() + "]" : "")
                    + (r.external() ? " (external)" : "");
            o.printf("%-5d %-5d %-40s %-10s %-20s %s%n", r.mountId(), r.parentId(), mp, dash(r.fstype()), dash(r.source()), dash(r.options()));
        }
    }

    static String proto(int p) {
        return switch (p) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 0 -> "-";
            default -> Integer.toString(p);
        };
    }

    /** Kernel device encoding (major << 20 | minor) as major:minor in hex, as /proc/PID/maps shows it. */
    static String dev(long d) {
        return String.format("%02x:%02x", d >>> 20, d & 0xfffff);
    }

    static String kib(long bytes) {
        return bytes == 0 ? "0" : (bytes + 1023) / 1024 + "K";
    }

    static String nz(String s) {
        return s == null ? "" : s;
    }

    static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    static String hexOrDash(Long v) {
        return v == null ? "-" : "0x" + Long.toHexString(v);
    }

    /** Bytes as text with C-style escapes for anything not printable ASCII. */
    static String escape(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        for (byte x : b) {
            int c = x & 0xff;
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c >= 0x20 && c < 0x7f) sb.append((char) c);
                    else sb.append(String.format("\\x%02x", c));
                }
            }
        }
        return sb.toString();
    }
}
