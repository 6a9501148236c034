package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CgroupRuleTest {
    /** The hierarchies of the real podman-sh archive (cgroup v1 hybrid host). */
    private static final List<String> HYBRID = List.of("", "blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "name=systemd", "pids");

    private static Fixture image(List<String> hierarchies) {
        Fixture f = Fixture.oneProcess();
        f.host = f.host.withCgroupControllers(hierarchies);
        return f;
    }

    private static List<HostProfile.Mount> v1Mounts(String... dirs) {
        List<HostProfile.Mount> m = new java.util.ArrayList<>();
        m.add(new HostProfile.Mount("/", "ext4", "/dev/vda"));
        for (String d : dirs) m.add(new HostProfile.Mount("/sys/fs/cgroup/" + d, d.equals("unified") ? "cgroup2" : "cgroup", "cgroup"));
        return m;
    }

    @Test
    void noCgroupStateNoCheck() {
        Fixture f = Fixture.oneProcess();
        assertEquals(List.of(), new CgroupRule().check(f.on(f.matchingHost())));
    }

    @Test
    void v1StateOnAV2OnlyTargetIsANoGo() {
        Fixture f = image(HYBRID);
        List<Finding> out = new CgroupRule().check(f.on(f.matchingHost()));   // matchingHost: cgroup "2"
        assertEquals(Set.of("HOST_CGROUP_V1_ON_V2"), codes(out));
        assertEquals(Severity.ERROR, out.getFirst().severity());
        Fixture v2 = image(List.of(""));
        assertEquals(List.of(), new CgroupRule().check(v2.on(v2.matchingHost())));
    }

    @Test
    void v1TargetNeedsTheControllersMounted() {
        Fixture f = image(HYBRID);
        HostProfile hybrid = f.matchingHost().withCgroupVersion("1")
                .withMounts(v1Mounts("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd", "unified"));
        assertEquals(List.of(), new CgroupRule().check(f.on(hybrid)));
        HostProfile noPids = hybrid.withMounts(v1Mounts("cpu,cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "systemd", "unified"));
        List<Finding> out = new CgroupRule().check(f.on(noPids));
        assertEquals(Set.of("HOST_CGROUP_CONTROLLER"), codes(out));
        assertEquals("no cgroup v1 mount named for pids on the target (criu: \"Can't mount ... cgyard\" when a controller is missing)",
                out.getFirst().explanation());
    }

    @Test
    void v2StateOnV1OnlyOrUnknownIsUndecided() {
        Fixture f = image(List.of(""));
        assertEquals(Set.of("HOST_CGROUP_V2_ON_V1"), codes(new CgroupRule().check(f.on(f.matchingHost().withCgroupVersion("1").withMounts(v1Mounts("cpu"))))));
        assertEquals(List.of(), new CgroupRule().check(f.on(f.matchingHost().withCgroupVersion("1").withMounts(v1Mounts("cpu", "unified")))));
        assertEquals(Set.of("HOST_CGROUP_UNKNOWN"), codes(new CgroupRule().check(f.on(f.matchingHost().withCgroupVersion(null)))));
    }
}
