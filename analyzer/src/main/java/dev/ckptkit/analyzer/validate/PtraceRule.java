package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.ProcessRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * ptrace relations (processes.tracer_pid, CKPT 1.2): no restorer re-attaches a tracer. A tracer outside the image (a
 * debugger, strace, a ptrace-based sandbox) is simply gone after the restore; one inside is restored as an
 * ordinary process that no longer traces anything. CRIU never produces either: it seizes every task with
 * PTRACE_SEIZE, which fails on a traced task ("Unable to interrupt task", dump fails), so CRIU images say 0.
 */
public final class PtraceRule implements Rule {
    @Override public String group() { return "leak"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        Set<Integer> pids = ctx.image().pids();
        List<Finding> out = new ArrayList<>();
        for (ProcessRow p : ctx.image().processes()) {
            Integer t = p.tracerPid();
            if (t == null || t == 0) continue;
            if (!pids.contains(t)) {
                out.add(finding("LEAK_TRACER_OUTSIDE", Severity.WARNING, "pid " + p.pid(),
                        "traced by pid " + t + ", which is not in the image: the restored process runs untraced (a "
                                + "debugger's breakpoints, strace, or a ptrace sandbox's syscall handling are gone)",
                        "re-attach the tracer after the restore (gdb -p, strace -p, the sandbox's attach), or detach it before the checkpoint"));
            } else {
                out.add(finding("PTRACE_NOT_RESTORED", Severity.WARNING, "pid " + p.pid(),
                        "traced by pid " + t + " of the same image: restorers do not recreate ptrace relations",
                        "have the tracer re-attach after the restore (c/r-aware tracer), or detach before the checkpoint"));
            }
        }
        return out;
    }
}
