package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.ProcessRow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Users and groups the processes run as should exist on the target. Restore sets numeric ids and works anyway, but
 * file ownership, home directories and name lookups will not match.
 */
public final class UserRule implements Rule {
    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.hasTarget() || ctx.target().users() == null || ctx.target().groups() == null) return List.of();
        Set<Long> uids = new HashSet<>(ctx.target().users().values());
        Set<Long> gids = new HashSet<>(ctx.target().groups().values());
        Set<Long> missingU = new TreeSet<>(), missingG = new TreeSet<>();
        for (ProcessRow p : ctx.image().processes()) {
            for (Long u : new Long[] {p.uid(), p.euid(), p.suid(), p.fsuid()}) if (u != null && !uids.contains(u)) missingU.add(u);
            for (Long g : new Long[] {p.gid(), p.egid(), p.sgid(), p.fsgid()}) if (g != null && !gids.contains(g)) missingG.add(g);
            if (p.groups() != null) for (Long g : p.groups()) if (g != null && !gids.contains(g)) missingG.add(g);
        }
        List<Finding> out = new ArrayList<>();
        if (!missingU.isEmpty()) {
            out.add(finding("HOST_UID_MISSING", Severity.WARNING, "uids " + missingU, "no user with these uids on the target",
                    "create the users with the same uids on the target (useradd -u)"));
        }
        if (!missingG.isEmpty()) {
            out.add(finding("HOST_GID_MISSING", Severity.WARNING, "gids " + missingG, "no group with these gids on the target",
                    "create the groups with the same gids on the target (groupadd -g)"));
        }
        return out;
    }
}
