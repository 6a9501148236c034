package dev.ckptkit.backend.criu;

import com.google.protobuf.ByteString;
import dev.ckptkit.backend.criu.proto.CredsEntry;
import dev.ckptkit.backend.criu.proto.ItimerEntry;
import dev.ckptkit.backend.criu.proto.RlimitEntry;
import dev.ckptkit.backend.criu.proto.SaEntry;
import dev.ckptkit.backend.criu.proto.SignalQueueEntry;
import dev.ckptkit.backend.criu.proto.SiginfoEntry;
import dev.ckptkit.backend.criu.proto.TaskCoreEntry;
import dev.ckptkit.backend.criu.proto.TaskRlimitsEntry;
import dev.ckptkit.backend.criu.proto.TaskTimersEntry;
import dev.ckptkit.backend.criu.proto.ThreadCoreEntry;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.RlimitRow;
import dev.ckptkit.io.table.SignalRow;
import dev.ckptkit.io.table.ThreadRow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The task parts of a CRIU core image made from the tables: the process-wide {@code tc} (state, comm, blocked mask,
 * the 62 sigactions, rlimits, disarmed itimers, shared pending signals) and each thread's {@code thread_core}
 * (blocked mask, comm, pending signals, credentials).
 */
final class CriuTaskEntries {
    /** CRIU's CR_CAP_SIZE 32-bit words per capability set; all of CAP_LAST_CAP 40 for the bounding set. */
    private static final List<Integer> ALL_CAPS = List.of(0xffffffff, 0x1ff), NO_CAPS = List.of(0, 0);
    private static final long RLIM_INFINITY = -1L;
    private static final int SIGNALS = 64, SIGKILL = 9, SIGSTOP = 19, RLIMITS = 16, SIGINFO_SIZE = 128;
    /** sizeof(struct robust_list_head): set_robust_list accepts a NULL head only with this length. */
    private static final int ROBUST_LIST_LEN = 24;

    private CriuTaskEntries() {}

    static TaskCoreEntry taskCore(ProcessRow p, ThreadRow main, List<SignalRow> signals, List<RlimitRow> rlimits) {
        ItimerEntry off = ItimerEntry.newBuilder().setIsec(0).setIusec(0).setVsec(0).setVusec(0).build();
        TaskCoreEntry.Builder tc = TaskCoreEntry.newBuilder().setTaskState(taskState(p.state()))
                .setExitCode(p.exitCode() == null ? 0 : p.exitCode()).setPersonality(0).setFlags(0)
                .setBlkSigset(nz(main.sigBlocked())).setComm(comm(p, main))
                .setTimers(TaskTimersEntry.newBuilder().setReal(off).setVirt(off).setProf(off))
                .setSignalsS(pending(signals, p.pid(), 0));
        Map<Integer, SignalRow> actions = new HashMap<>();
        for (SignalRow s : signals) if (s.pid() == p.pid() && "action".equals(s.kind())) actions.put(s.signo(), s);
        // one entry per signal 1..64 but SIGKILL and SIGSTOP, as CRIU saves them
        for (int signo = 1; signo <= SIGNALS; signo++) {
            if (signo == SIGKILL || signo == SIGSTOP) continue;
            SignalRow a = actions.get(signo);
            tc.addSigactions(SaEntry.newBuilder().setSigaction(a == null ? 0 : nz(a.handler())).setFlags(a == null ? 0 : nz(a.flags()))
                    .setRestorer(a == null ? 0 : nz(a.restorer())).setMask(a == null ? 0 : nz(a.mask())).setCompatSigaction(false));
        }
        List<RlimitRow> mine = rlimits.stream().filter(l -> l.pid() == p.pid()).toList();
        if (!mine.isEmpty()) {
            Map<String, RlimitRow> byName = new LinkedHashMap<>();
            for (RlimitRow l : mine) byName.put(l.resource(), l);
            TaskRlimitsEntry.Builder rl = TaskRlimitsEntry.newBuilder();
            for (int i = 0; i < RLIMITS; i++) {
                RlimitRow l = byName.get(CriuTables.rlimitName(i));
                rl.addRlimits(RlimitEntry.newBuilder().setCur(l == null ? RLIM_INFINITY : l.soft()).setMax(l == null ? RLIM_INFINITY : l.hard()));
            }
            tc.setRlimits(rl);
        }
        return tc.build();
    }

    static ThreadCoreEntry threadCore(ProcessRow p, ThreadRow t, List<SignalRow> signals) {
        ThreadCoreEntry.Builder tc = ThreadCoreEntry.newBuilder().setFutexRla(0).setFutexRlaLen(ROBUST_LIST_LEN)
                .setBlkSigset(nz(t.sigBlocked())).setSignalsP(pending(signals, p.pid(), t.tid()));
        if (t.name() != null) tc.setComm(t.name());
        CredsEntry creds = creds(p);
        if (creds != null) tc.setCreds(creds);
        return tc.build();
    }

    /**
     * The credentials the processes table knows. The filesystem ids follow the effective ones unless given (as the
     * kernel keeps them). Capabilities not given are written as none, with the full bounding set: criu restore can
     * always drop capabilities but fails (capset EPERM) to grant more than it holds itself.
     */
    private static CredsEntry creds(ProcessRow p) {
        if (p.uid() == null || p.euid() == null || p.gid() == null || p.egid() == null) return null;
        long euid = p.euid(), egid = p.egid();
        List<Integer> eff = p.capEff() != null ? words(p.capEff()) : NO_CAPS;
        List<Integer> prm = p.capPrm() != null ? words(p.capPrm()) : p.capEff() != null ? eff : NO_CAPS;
        CredsEntry.Builder c = CredsEntry.newBuilder().setUid((int) (long) p.uid()).setEuid((int) euid)
                .setSuid((int) (long) (p.suid() != null ? p.suid() : euid)).setFsuid((int) (long) (p.fsuid() != null ? p.fsuid() : euid))
                .setGid((int) (long) p.gid()).setEgid((int) egid).setSgid((int) (long) (p.sgid() != null ? p.sgid() : egid))
                .setFsgid((int) (long) (p.fsgid() != null ? p.fsgid() : egid)).addAllCapInh(NO_CAPS).addAllCapPrm(prm)
                .addAllCapEff(eff).addAllCapBnd(ALL_CAPS).addAllCapAmb(NO_CAPS).setSecbits(0);
        if (p.groups() != null) for (long g : p.groups()) c.addGroups((int) g);
        return c.build();
    }

    private static List<Integer> words(long caps) {
        return List.of((int) caps, (int) (caps >>> 32));
    }

    /** Pending signals of the table as siginfo entries that carry the signal number (sent by the kernel: si_code 0). */
    private static SignalQueueEntry pending(List<SignalRow> signals, int pid, int tid) {
        SignalQueueEntry.Builder q = SignalQueueEntry.newBuilder();
        for (SignalRow s : signals) {
            if (s.pid() != pid || s.tid() != tid || !"pending".equals(s.kind())) continue;
            byte[] si = new byte[SIGINFO_SIZE];
            ByteBuffer.wrap(si).order(ByteOrder.LITTLE_ENDIAN).putInt(0, s.signo());
            q.addSignals(SiginfoEntry.newBuilder().setSiginfo(ByteString.copyFrom(si)));
        }
        return q.build();
    }

    private static int taskState(String state) {
        return switch (state == null ? "" : state) {
            case "dead" -> 2;
            case "stopped" -> 3;
            case "zombie" -> 6;
            default -> 1;  // running, sleeping or unknown: alive
        };
    }

    private static String comm(ProcessRow p, ThreadRow main) {
        if (p.comm() != null) return p.comm();
        return main.name() != null ? main.name() : "";
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }
}
