package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.ProcessRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Session and process group leaders must be in the image: a restore recreates sessions with setsid(), which needs
 * the leader. A job started from a shell has its session outside; CRIU then needs --shell-job on dump and restore
 * (validate --shell-job: the restore is run that way, so these are only warnings: the restorer's session is used).
 * Userspace-style images restart inside the restarting tool's session (a process that led its own session or group
 * leads a new one), so the rule does not apply to them.
 */
public final class SessionRule implements Rule {
    @Override public String group() { return "leak"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (ctx.image().userspace()) return List.of();
        Set<Integer> pids = ctx.image().pids();
        List<Finding> out = new ArrayList<>();
        for (ProcessRow p : ctx.image().processes()) {
            if (p.sid() != 0 && !pids.contains(p.sid())) {
                out.add(finding("LEAK_SESSION_OUTSIDE", ctx.shellJob() ? Severity.WARNING : Severity.ERROR, "pid " + p.pid(),
                        "session leader " + p.sid() + " is not in the image (a shell job)",
                        "restore from a terminal with criu restore --shell-job, or start the workload with setsid next time"));
            } else if (p.pgid() != 0 && !pids.contains(p.pgid())) {
                out.add(finding("LEAK_PGRP_OUTSIDE", ctx.shellJob() ? Severity.WARNING : Severity.ERROR, "pid " + p.pid(),
                        "process group leader " + p.pgid() + " is not in the image",
                        "restore with criu restore --shell-job, or checkpoint the group leader too"));
            }
        }
        return out;
    }
}
