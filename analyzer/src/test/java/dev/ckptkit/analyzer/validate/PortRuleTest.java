package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortRuleTest {
    private static HostProfile ports(HostProfile h, List<HostProfile.ListeningPort> p) {
        return new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(), h.cpu(), h.xsave(), h.vdsoSize(),
                h.pidMax(), h.pidsInUse(), h.memAvailable(), h.mounts(), h.cgroupVersion(), h.capEff(), h.lsm(), h.users(),
                h.groups(), p, h.files());
    }

    @Test
    void listeningPortFreeOrTakenByAddress() {
        Fixture f = Fixture.oneProcess();
        f.socket(6, "inet", 6, "LISTEN", "127.0.0.1:47001", null, 53076L, null);
        f.fd(100, 3, 6);
        HostProfile h = f.matchingHost();
        assertEquals(List.of(), new PortRule().check(f.on(h)));
        assertEquals(List.of(), new PortRule().check(f.on(ports(h, List.of(new HostProfile.ListeningPort("tcp", "10.0.0.1", 47001))))));
        List<Finding> out = new PortRule().check(f.on(ports(h, List.of(new HostProfile.ListeningPort("tcp", "127.0.0.1", 47001)))));
        assertEquals(Set.of("HOST_PORT_TAKEN"), codes(out));
        assertEquals("pid 100 fd 3 (tcp 127.0.0.1:47001)", out.get(0).object());
        assertEquals(Set.of("HOST_PORT_TAKEN"), codes(new PortRule().check(f.on(ports(h, List.of(new HostProfile.ListeningPort("tcp", "::", 47001)))))));
        assertEquals(List.of(), new PortRule().check(f.on(ports(h, List.of(new HostProfile.ListeningPort("udp", "127.0.0.1", 47001))))));
        assertEquals(Set.of("HOST_PORTS_UNKNOWN"), codes(new PortRule().check(f.on(ports(h, null)))));
    }

    @Test
    void establishedConnectionsDoNotBindAListeningPort() {
        Fixture f = Fixture.oneProcess();
        f.socket(6, "inet", 6, "ESTABLISHED", "127.0.0.1:47001", "127.0.0.1:5000", 1L, null);
        assertEquals(List.of(), new PortRule().check(f.on(ports(f.matchingHost(), List.of(new HostProfile.ListeningPort("tcp", "127.0.0.1", 47001))))));
    }
}
