package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.ProcessRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The processes form one tree: pids unique, one root, no cycles, and every parent is in the image (a parent outside
 * the set means the image is not self-contained: the restorer cannot recreate that parent-child link). Userspace-style
 * images are restarted below the restarting tool (ckpt restart, dmtcp_restart) with getppid() virtualised, so their
 * root's parent outside the image is expected.
 */
public final class ProcessTreeRule implements Rule {
    @Override public String group() { return "integrity"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        List<Finding> out = new ArrayList<>();
        Map<Integer, ProcessRow> byPid = new HashMap<>();
        for (ProcessRow p : ctx.image().processes()) {
            if (byPid.put(p.pid(), p) != null) {
                out.add(finding("TREE_DUPLICATE_PID", Severity.ERROR, "pid " + p.pid(), "two processes have pid " + p.pid(),
                        "the image is inconsistent: re-import it from the original checkpoint"));
            }
        }
        if (byPid.isEmpty()) {
            out.add(finding("TREE_EMPTY", Severity.ERROR, "image", "the image holds no process", "nothing to restore"));
            return out;
        }
        List<Integer> roots = new ArrayList<>();
        for (ProcessRow p : byPid.values()) {
            if (p.ppid() == 0) {
                roots.add(p.pid());
            } else if (!byPid.containsKey(p.ppid()) && !ctx.image().userspace()) {
                out.add(finding("LEAK_PARENT_OUTSIDE", Severity.ERROR, "pid " + p.pid(),
                        "parent pid " + p.ppid() + " is not in the image: the process was checkpointed without its parent",
                        "checkpoint the whole subtree from a common ancestor (criu dump -t ANCESTOR)"));
            }
        }
        if (roots.size() > 1) {
            out.add(finding("TREE_MULTIPLE_ROOTS", Severity.ERROR, "pids " + roots.stream().sorted().toList(),
                    "the image has " + roots.size() + " roots; a restore recreates one tree",
                    "checkpoint a single subtree, or restore the processes as separate images"));
        }
        for (ProcessRow p : byPid.values()) {
            Set<Integer> seen = new HashSet<>();
            int cur = p.pid();
            while (cur != 0 && byPid.containsKey(cur)) {
                if (!seen.add(cur)) {
                    out.add(finding("TREE_CYCLE", Severity.ERROR, "pid " + p.pid(), "the parent chain of pid " + p.pid()
                            + " loops back to pid " + cur, "the image is inconsistent: re-import it from the original checkpoint"));
                    break;
                }
                cur = byPid.get(cur).ppid();
            }
        }
        return out;
    }
}
