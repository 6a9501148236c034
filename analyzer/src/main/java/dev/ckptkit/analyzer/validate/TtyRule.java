package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.ProcessRow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Terminals. With the session of each terminal and its pty index (files.tty_sid, tty_index, CKPT 1.2; CRIU
 * tty-info.img) the rule says what CRIU's restore does (criu/tty.c): a terminal whose session leader is not in the
 * image, or a pty slave whose master is not in the image, cannot be recreated; only --shell-job lets the restore
 * give it the restorer's own terminal instead (and then criu's stdin must be a terminal). Without those columns
 * (images of 1.0/1.1, producers that do not know) the rule falls back to the sessions of the processes.
 */
public final class TtyRule implements Rule {
    @Override public String group() { return "leak"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        Set<Integer> pids = ctx.image().pids();
        boolean outsideSession = false;
        for (ProcessRow p : ctx.image().processes()) outsideSession |= p.sid() != 0 && !pids.contains(p.sid());
        Set<Integer> masters = new HashSet<>();
        for (FileRow f : ctx.image().files()) {
            if ("tty".equals(f.type()) && f.ttyIndex() != null && master(f)) masters.add(f.ttyIndex());
        }
        List<Finding> out = new ArrayList<>();
        for (FileRow f : ctx.image().files()) {
            if (!"tty".equals(f.type())) continue;
            String obj = ctx.image().holders(f.id()) + " (" + f.path() + ")";
            if (f.ttySid() == null) {
                fallback(ctx, out, obj, outsideSession);
                continue;
            }
            // both can hold for one terminal (a job of an interactive shell); criu checks the pty pair first
            if (f.ttySid() != 0 && !pids.contains(f.ttySid())) {
                out.add(shellJob(ctx, "LEAK_TTY_OUTSIDE", obj, "controlling terminal of session " + f.ttySid()
                        + ", whose leader is not in the image: it cannot be recreated (criu: \"No task found with sid\")"));
            }
            if (f.ttyIndex() != null && !master(f) && !masters.contains(f.ttyIndex())) {
                out.add(shellJob(ctx, "LEAK_TTY_PEER_OUTSIDE", obj, "pseudo-terminal slave " + f.ttyIndex()
                        + " whose master is held outside the image (a terminal emulator, script, sshd): criu restore "
                        + "fails with \"Found slave peer index " + f.ttyIndex() + " without correspond master peer\""));
            }
        }
        return out;
    }

    private static boolean master(FileRow f) {
        return f.path() != null && f.path().endsWith("ptmx");
    }

    /** A shell job: an error, unless the restore is declared to run as one (then the terminal is replaced). */
    private Finding shellJob(ValidationContext ctx, String code, String obj, String why) {
        if (ctx.shellJob()) {
            return finding(code, Severity.WARNING, obj, why + "; with --shell-job the restored processes get the restorer's terminal instead",
                    "run criu restore --shell-job with stdin on a terminal (criu: \"Don't have tty to inherit session from\" otherwise); send SIGWINCH after the restore");
        }
        return finding(code, Severity.ERROR, obj, why,
                "restore from a terminal with criu restore --shell-job (the restorer's terminal replaces it; validate with --shell-job), "
                        + "or checkpoint the terminal's master side too (tmux/screen server), or start the workload detached (setsid, stdio not a terminal)");
    }

    private void fallback(ValidationContext ctx, List<Finding> out, String obj, boolean outsideSession) {
        if (outsideSession) {
            out.add(finding("LEAK_TTY_OUTSIDE", ctx.shellJob() ? Severity.WARNING : Severity.ERROR, obj,
                    "terminal of a session outside the image: it cannot be recreated",
                    "restore from a terminal with criu restore --shell-job (the new terminal replaces it), or --inherit-fd"));
        } else {
            out.add(finding("LEAK_TTY", Severity.WARNING, obj,
                    "terminal held by the image's own session; the image does not say whether its other end is in the image",
                    "checkpoint the terminal's master side too (e.g. the tmux/screen server), or pass it with --inherit-fd"));
        }
    }
}
