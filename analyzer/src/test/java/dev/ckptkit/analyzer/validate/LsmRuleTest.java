package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LsmRuleTest {
    private static Fixture image(String lsm, String label) {
        Fixture f = Fixture.oneProcess();
        f.host = f.host.withLsm(lsm);
        if (label != null) f.replaceProcess(f.processes.getFirst().withLsmProfile(label));
        return f;
    }

    @Test
    void noLsmOrNoLabelsNeedNothing() {
        Fixture f = image("none", null);
        assertEquals(List.of(), new LsmRule().check(f.on(f.matchingHost().withLsm("apparmor", List.of()))));
        Fixture g = image("apparmor", null);
        assertEquals(Set.of("HOST_LSM_DIFFERENT"), codes(new LsmRule().check(g.on(g.matchingHost().withLsm("selinux", null)))));
        Fixture old = Fixture.oneProcess();
        assertEquals(List.of(), new LsmRule().check(old.on(old.matchingHost())), "images without host.lsm are not checked");
    }

    @Test
    void labelsUnderAnotherLsmAreANoGo() {
        Fixture f = image("apparmor", "docker-default");
        List<Finding> out = new LsmRule().check(f.on(f.matchingHost().withLsm("selinux", null)));
        assertEquals(Set.of("HOST_LSM_MISMATCH"), codes(out));
        assertEquals(Severity.ERROR, out.getFirst().severity());
        // an older profile without lsmType: the LSM list decides (matchingHost's is [capability]: none)
        assertEquals(Set.of("HOST_LSM_MISMATCH"), codes(new LsmRule().check(f.on(f.matchingHost()))));
    }

    @Test
    void appArmorProfileMustBeLoaded() {
        Fixture f = image("apparmor", "docker-default");
        assertEquals(List.of(), new LsmRule().check(f.on(f.matchingHost().withLsm("apparmor", List.of("docker-default", "unconfined")))));
        assertEquals(Set.of("HOST_LSM_PROFILE_MISSING"), codes(new LsmRule().check(f.on(f.matchingHost().withLsm("apparmor", List.of("other"))))));
        assertEquals(Set.of("HOST_LSM_PROFILE_UNKNOWN"), codes(new LsmRule().check(f.on(f.matchingHost().withLsm("apparmor", null)))));
    }

    @Test
    void unknownTargetLsmIsUndecided() {
        Fixture f = image("selinux", "system_u:system_r:container_t:s0");
        HostProfile t = f.matchingHost();
        HostProfile noLsm = new HostProfile(t.schema(), t.hostname(), t.kernel(), t.arch(), t.pageSize(), t.cpu(), t.xsave(),
                t.vdsoSize(), t.pidMax(), t.pidsInUse(), t.memAvailable(), t.mounts(), t.cgroupVersion(), t.capEff(), null,
                t.users(), t.groups(), t.listeningPorts(), t.files());
        assertEquals(Set.of("HOST_LSM_UNKNOWN"), codes(new LsmRule().check(f.on(noLsm))));
    }
}
