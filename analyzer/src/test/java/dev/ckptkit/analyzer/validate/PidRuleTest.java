package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PidRuleTest {
    private static HostProfile pids(HostProfile h, List<Integer> used, int max) {
        return new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(), h.cpu(), h.xsave(), h.vdsoSize(),
                max, used, h.memAvailable(), h.mounts(), h.cgroupVersion(), h.capEff(), h.lsm(), h.users(), h.groups(),
                h.listeningPorts(), h.files());
    }

    @Test
    void freePids() {
        Fixture f = Fixture.oneProcess();
        assertEquals(List.of(), new PidRule().check(f.on(f.matchingHost())));
    }

    @Test
    void takenAndAbovePidMax() {
        Fixture f = Fixture.oneProcess();
        assertEquals(Set.of("HOST_PID_TAKEN"), codes(new PidRule().check(f.on(pids(f.matchingHost(), List.of(1, 100), 32768)))));
        assertEquals(Set.of("HOST_PID_MAX"), codes(new PidRule().check(f.on(pids(f.matchingHost(), List.of(1), 100)))));
        assertEquals(Set.of("HOST_PIDS_UNKNOWN"), codes(new PidRule().check(f.on(pids(f.matchingHost(), null, 100)))));
    }

    @Test
    void ownPidNamespaceOrUserspaceImageIsNotChecked() {
        Fixture f = new Fixture();
        f.process(1, 0, 1, 1);
        assertEquals(List.of(), new PidRule().check(f.on(pids(f.matchingHost(), List.of(1), 32768))));
        Fixture u = Fixture.oneProcess();
        u.style = "userspace";
        assertEquals(List.of(), new PidRule().check(u.on(pids(u.matchingHost(), List.of(100), 32768))));
    }
}
