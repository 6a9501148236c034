package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TcpRepairRuleTest {
    @Test
    void establishedNeedsRepairAndCapNetAdmin() {
        Fixture f = Fixture.oneProcess();
        f.socket(6, "inet", 6, "LISTEN", "127.0.0.1:47001", null, 1L, null);
        assertEquals(List.of(), new TcpRepairRule().check(f.on(f.matchingHost())));
        f.socket(7, "inet", 6, "ESTABLISHED", "10.0.0.5:47001", "10.0.0.9:51000", 2L, null);
        assertEquals(Set.of("HOST_TCP_ESTABLISHED"), codes(new TcpRepairRule().check(f.on(f.matchingHost()))));
        HostProfile h = f.matchingHost();
        HostProfile noCaps = new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(), h.cpu(), h.xsave(),
                h.vdsoSize(), h.pidMax(), h.pidsInUse(), h.memAvailable(), h.mounts(), h.cgroupVersion(), 0L, h.lsm(), h.users(),
                h.groups(), h.listeningPorts(), h.files());
        assertEquals(Set.of("HOST_TCP_REPAIR"), codes(new TcpRepairRule().check(f.on(noCaps))));
    }
}
