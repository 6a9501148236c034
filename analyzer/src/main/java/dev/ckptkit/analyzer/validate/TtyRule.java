package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.ProcessRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Terminals: a tty of a session outside the image cannot be recreated; one of the image's own session can. */
public final class TtyRule implements Rule {
    @Override public String group() { return "leak"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        Set<Integer> pids = ctx.image().pids();
        boolean outsideSession = false;
        for (ProcessRow p : ctx.image().processes()) outsideSession |= p.sid() != 0 && !pids.contains(p.sid());
        List<Finding> out = new ArrayList<>();
        for (FileRow f : ctx.image().files()) {
            if (!"tty".equals(f.type())) continue;
            String obj = ctx.image().holders(f.id()) + " (" + f.path() + ")";
            if (outsideSession) {
                out.add(finding("LEAK_TTY_OUTSIDE", Severity.ERROR, obj,
                        "terminal of a session outside the image: it cannot be recreated",
                        "restore from a terminal with criu restore --shell-job (the new terminal replaces it), or --inherit-fd"));
            } else {
                out.add(finding("LEAK_TTY", Severity.WARNING, obj,
                        "terminal held by the image's own session; its other end must be in the image or given at restore",
                        "checkpoint the terminal's master side too (e.g. the tmux/screen server), or pass it with --inherit-fd"));
            }
        }
        return out;
    }
}
