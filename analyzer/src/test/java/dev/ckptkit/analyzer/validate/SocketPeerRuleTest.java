package dev.ckptkit.analyzer.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SocketPeerRuleTest {
    @Test
    void socketpairInsideIsFine() {
        Fixture f = Fixture.oneProcess();
        f.socket(10, "unix", 0, "ESTABLISHED", null, null, 501L, 502L);
        f.socket(11, "unix", 0, "ESTABLISHED", null, null, 502L, 501L);
        assertEquals(List.of(), new SocketPeerRule().check(f.alone()));
    }

    @Test
    void streamToAnOutsideDaemonIsNoGo() {
        Fixture f = Fixture.oneProcess();
        f.socket(10, "unix", 0, "ESTABLISHED", null, "/run/daemon.sock", 501L, 9999L);
        List<Finding> out = new SocketPeerRule().check(f.alone());
        assertEquals(1, out.size());
        assertEquals(Severity.ERROR, out.get(0).severity());
        assertEquals("LEAK_UNIX_PEER", out.get(0).code());
    }
}
