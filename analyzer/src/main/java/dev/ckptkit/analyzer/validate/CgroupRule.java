package dev.ckptkit.analyzer.validate;

import java.util.ArrayList;
import java.util.List;

/**
 * Cgroups: a CRIU image carries cgroup state (cgroup.img) when its tasks were in other cgroups than criu itself
 * (containers); the manifest's host.cgroupControllers (CKPT 1.2) names the hierarchies a restore mounts and
 * recreates: v1 controllers ("cpu", "memory", ...), named v1 hierarchies ("name=systemd"), "" for the v2 unified
 * one. On restore CRIU mounts each hierarchy in its own yard: on a cgroup-v2-only target every v1 controller is
 * bound to the unified hierarchy and cannot be mounted as v1 (criu issues #453 "Can't mount ... Resource busy",
 * #83 for a controller the target lacks), so v1 state on a v2 target is a no-go. v2 state on a v1-only target has
 * not been seen restored or failing here: could not decide. Images without cgroup state are not checked.
 */
public final class CgroupRule implements Rule {
    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.hasTarget() || ctx.image().manifest() == null || ctx.image().manifest().host() == null) return List.of();
        List<String> hierarchies = ctx.image().manifest().host().cgroupControllers();
        if (hierarchies == null || hierarchies.isEmpty()) return List.of();
        List<String> v1 = new ArrayList<>();
        for (String h : hierarchies) if (!h.isEmpty() && !h.startsWith("name=")) v1.add(h);
        boolean v2 = hierarchies.contains("");
        String version = ctx.target().cgroupVersion();
        String remedy = "restore with criu restore --manage-cgroups=ignore (the processes then stay in the restorer's cgroups), "
                + "or on a host with the same cgroup layout";
        if (version == null) {
            return List.of(finding("HOST_CGROUP_UNKNOWN", Severity.UNDECIDED, "target",
                    "the image carries cgroup state (" + String.join(", ", names(hierarchies)) + ") but the target profile does not say its cgroup version",
                    "make the profile with 'ckpt host-profile' on the target"));
        }
        List<Finding> out = new ArrayList<>();
        if (version.equals("2") && !v1.isEmpty()) {
            out.add(finding("HOST_CGROUP_V1_ON_V2", Severity.ERROR, "target", "the image carries cgroup v1 state ("
                    + String.join(", ", v1) + ") and the target has cgroup v2 only: its controllers are bound to the unified "
                    + "hierarchy, criu cannot mount them as v1", remedy));
        } else if (version.equals("1") && v2 && v1.isEmpty() && !hasCgroup2Mount(ctx.target())) {
            out.add(finding("HOST_CGROUP_V2_ON_V1", Severity.UNDECIDED, "target", "the image carries cgroup v2 state only and the "
                    + "target has no cgroup2 mount (cgroup v1 only): whether criu can recreate it there is not known", remedy));
        } else if (version.equals("1") && !v1.isEmpty() && ctx.target().mounts() != null) {
            List<String> missing = new ArrayList<>();
            for (String c : v1) if (!hasV1Controller(ctx.target(), c)) missing.add(c);
            if (!missing.isEmpty()) {
                out.add(finding("HOST_CGROUP_CONTROLLER", Severity.WARNING, "target", "no cgroup v1 mount named for "
                        + String.join(", ", missing) + " on the target (criu: \"Can't mount ... cgyard\" when a controller is missing)",
                        "check /proc/cgroups on the target; " + remedy));
            }
        }
        return out;
    }

    private static List<String> names(List<String> h) {
        return h.stream().map(s -> s.isEmpty() ? "unified (v2)" : s).toList();
    }

    private static boolean hasCgroup2Mount(HostProfile t) {
        return t.mounts() != null && t.mounts().stream().anyMatch(m -> "cgroup2".equals(m.fstype()));
    }

    /** A v1 hierarchy is mounted at a directory named after its controllers (cpu, cpu,cpuacct), as systemd and cgroupfs-mount do. */
    private static boolean hasV1Controller(HostProfile t, String controller) {
        for (HostProfile.Mount m : t.mounts()) {
            if (!"cgroup".equals(m.fstype()) || m.mountpoint() == null) continue;
            String base = m.mountpoint().substring(m.mountpoint().lastIndexOf('/') + 1);
            for (String c : base.split(",")) if (c.equals(controller)) return true;
        }
        return false;
    }
}
