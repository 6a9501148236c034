package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelFeatureRuleTest {
    private static HostProfile withCheck(HostProfile h, HostProfile.CriuCheck c) {
        return new HostProfile(h.schema(), h.hostname(), new HostProfile.Kernel("6.1", "#1", c), h.arch(), h.pageSize(), h.cpu(),
                h.xsave(), h.vdsoSize(), h.pidMax(), h.pidsInUse(), h.memAvailable(), h.mounts(), h.cgroupVersion(), h.capEff(),
                h.lsm(), h.users(), h.groups(), h.listeningPorts(), h.files());
    }

    @Test
    void results() {
        Fixture f = Fixture.oneProcess();
        HostProfile h = f.matchingHost();
        assertEquals(List.of(), new KernelFeatureRule().check(f.on(h)));
        assertEquals(Set.of("HOST_KERNEL_UNCHECKED"), codes(new KernelFeatureRule().check(f.on(withCheck(h, null)))));
        HostProfile.CriuCheck bad = new HostProfile.CriuCheck("criu", "4.2", false, false, List.of("Error (cr-check.c:1): no seccomp"));
        assertEquals(Set.of("HOST_KERNEL_CRIU_CHECK"), codes(new KernelFeatureRule().check(f.on(withCheck(h, bad)))));
        HostProfile.CriuCheck optional = new HostProfile.CriuCheck("criu", "4.2", true, false, List.of("Warn: Dirty tracking is OFF"));
        List<Finding> out = new KernelFeatureRule().check(f.on(withCheck(h, optional)));
        assertEquals(Set.of("HOST_KERNEL_OPTIONAL"), codes(out));
        assertEquals(Severity.INFO, out.get(0).severity());
    }

    @Test
    void unprivilegedProfile() {
        Fixture f = Fixture.oneProcess();
        HostProfile h = f.matchingHost();
        HostProfile user = new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(), h.cpu(), h.xsave(),
                h.vdsoSize(), h.pidMax(), h.pidsInUse(), h.memAvailable(), h.mounts(), h.cgroupVersion(), 0L, h.lsm(), h.users(),
                h.groups(), h.listeningPorts(), h.files());
        assertEquals(Set.of("HOST_PRIVILEGES"), codes(new KernelFeatureRule().check(f.on(user))));
        HostProfile cr = new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(), h.cpu(), h.xsave(),
                h.vdsoSize(), h.pidMax(), h.pidsInUse(), h.memAvailable(), h.mounts(), h.cgroupVersion(), 1L << 40, h.lsm(), h.users(),
                h.groups(), h.listeningPorts(), h.files());
        assertEquals(List.of(), new KernelFeatureRule().check(f.on(cr)));
    }
}
