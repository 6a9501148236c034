package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UserRuleTest {
    @Test
    void usersAndGroups() {
        Fixture f = Fixture.oneProcess();
        HostProfile h = f.matchingHost();
        assertEquals(List.of(), new UserRule().check(f.on(h)));
        HostProfile onlyRoot = new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(), h.cpu(), h.xsave(),
                h.vdsoSize(), h.pidMax(), h.pidsInUse(), h.memAvailable(), h.mounts(), h.cgroupVersion(), h.capEff(), h.lsm(),
                Map.of("root", 0L), Map.of("root", 0L), h.listeningPorts(), h.files());
        List<Finding> out = new UserRule().check(f.on(onlyRoot));
        assertEquals(Set.of("HOST_UID_MISSING", "HOST_GID_MISSING"), codes(out));
        assertEquals(Severity.WARNING, out.get(0).severity());
        assertEquals("uids [1000]", out.get(0).object());
    }
}
