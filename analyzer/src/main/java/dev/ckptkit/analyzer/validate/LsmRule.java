package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.ProcessRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Linux security modules, as CRIU handles them (criu/lsm.c): the image records the LSM of the checkpoint host
 * (inventory lsmtype -> manifest host.lsm) and each task's label (creds lsm_profile -> processes.lsm_profile;
 * AppArmor "unconfined" is recorded as none). On restore CRIU refuses an image whose LSM differs from the target's
 * when a task has a label ("mismatched lsm types and lsm profile specified"; the target's LSM is what kerndat_lsm
 * finds: /sys/kernel/security/apparmor, else /sys/fs/selinux, else none), and with the same LSM it writes
 * "changeprofile NAME" for AppArmor, which fails unless the profile is loaded on the target.
 */
public final class LsmRule implements Rule {
    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.hasTarget() || ctx.image().manifest() == null || ctx.image().manifest().host() == null) return List.of();
        String image = ctx.image().manifest().host().lsm();
        if (image == null) return List.of();
        Map<String, List<Integer>> labels = new TreeMap<>();
        for (ProcessRow p : ctx.image().processes()) {
            if (p.lsmProfile() != null && !p.lsmProfile().isEmpty()) labels.computeIfAbsent(p.lsmProfile(), k -> new ArrayList<>()).add(p.pid());
        }
        String target = targetLsm(ctx.target());
        List<Finding> out = new ArrayList<>();
        if (image.equals("none") || labels.isEmpty()) {
            if (!image.equals("none") && target != null && !image.equals(target)) {
                out.add(finding("HOST_LSM_DIFFERENT", Severity.INFO, "target", "the image was taken under " + image
                        + ", the target runs " + target + "; no process had a label, so nothing is restored", "nothing to do"));
            }
            return out;
        }
        if (target == null) {
            out.add(finding("HOST_LSM_UNKNOWN", Severity.UNDECIDED, "target", "processes ran under " + image + " labels "
                    + labels.keySet() + " but the target profile does not say which LSM it runs", "make the profile with 'ckpt host-profile' on the target"));
        } else if (!image.equals(target)) {
            out.add(finding("HOST_LSM_MISMATCH", Severity.ERROR, "pids " + pids(labels), "processes ran under " + image
                    + " labels " + labels.keySet() + ", the target runs " + target
                    + ": criu restore fails (\"mismatched lsm types and lsm profile specified\")",
                    "restore with criu restore --lsm-profile " + target + ":PROFILE (a label of the target's LSM), or on a host running " + image));
        } else if (image.equals("apparmor")) {
            List<String> loaded = ctx.target().apparmorProfiles();
            for (Map.Entry<String, List<Integer>> e : labels.entrySet()) {
                if (loaded == null) {
                    out.add(finding("HOST_LSM_PROFILE_UNKNOWN", Severity.WARNING, "pids " + e.getValue(), "AppArmor profile "
                            + e.getKey() + " must be loaded on the target; the profile does not list the loaded profiles",
                            "check with aa-status on the target (make the profile as root to list them)"));
                } else if (!loaded.contains(e.getKey())) {
                    out.add(finding("HOST_LSM_PROFILE_MISSING", Severity.ERROR, "pids " + e.getValue(), "AppArmor profile "
                            + e.getKey() + " is not loaded on the target: criu's \"changeprofile " + e.getKey() + "\" fails",
                            "load the profile on the target (apparmor_parser -r), or restore with --lsm-profile apparmor:PROFILE"));
                }
            }
        }
        return out;
    }

    /** The profile's lsmType, else derived from the LSM list of older profiles. */
    static String targetLsm(HostProfile t) {
        if (t.lsmType() != null) return t.lsmType();
        if (t.lsm() == null) return null;
        if (t.lsm().contains("apparmor")) return "apparmor";
        if (t.lsm().contains("selinux")) return "selinux";
        return "none";
    }

    private static List<Integer> pids(Map<String, List<Integer>> labels) {
        List<Integer> all = new ArrayList<>();
        labels.values().forEach(all::addAll);
        return all;
    }
}
