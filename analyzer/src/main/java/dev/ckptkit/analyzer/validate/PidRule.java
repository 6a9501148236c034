package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.ThreadRow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Without a pid namespace of its own, a restore recreates every process and thread with its old pid: each must be
 * free on the target and below pid_max. An image whose root is pid 1 brings its own pid namespace.
 */
public final class PidRule implements Rule {
    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.hasTarget() || ctx.image().userspace()) return List.of();
        for (ProcessRow p : ctx.image().processes()) if (p.pid() == 1) return List.of();
        List<Finding> out = new ArrayList<>();
        if (ctx.target().pidsInUse() == null) {
            out.add(finding("HOST_PIDS_UNKNOWN", Severity.UNDECIDED, "target", "the target profile does not list the pids in use",
                    "make the profile with ckpt host-profile on the target"));
            return out;
        }
        Set<Integer> used = new HashSet<>(ctx.target().pidsInUse());
        Integer max = ctx.target().pidMax();
        Set<Integer> ids = new java.util.TreeSet<>(ctx.image().pids());
        for (ThreadRow t : ctx.image().threads()) ids.add(t.tid());
        for (int id : ids) {
            String what = ctx.image().pids().contains(id) ? "pid " + id : "tid " + id;
            if (used.contains(id)) {
                out.add(finding("HOST_PID_TAKEN", Severity.ERROR, what, what + " is in use on the target; the restore needs it free",
                        "stop the process using " + id + " on the target, or checkpoint with a pid namespace (--namespaces pid / a container)"));
            } else if (max != null && id >= max) {
                out.add(finding("HOST_PID_MAX", Severity.ERROR, what, what + " is not below the target's pid_max " + max,
                        "raise /proc/sys/kernel/pid_max on the target to more than " + id));
            }
        }
        return out;
    }
}
