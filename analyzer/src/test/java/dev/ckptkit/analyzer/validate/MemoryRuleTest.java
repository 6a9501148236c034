package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ckptkit.io.manifest.Manifest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemoryRuleTest {
    private static ValidationContext ctx(long pages, long available) {
        Fixture f = Fixture.oneProcess();
        ImageFacts base = f.facts();
        Manifest m = new Manifest(1, base.manifest().producer(), "kernel", base.manifest().host(), null, null,
                new Manifest.Counts(pages, 10, 0, pages, 0, Map.of(), 0, 0), null);
        ImageFacts img = new ImageFacts(m, base.processes(), base.threads(), base.areas(), base.files(), base.fds(), base.pipes(),
                base.sockets(), base.mounts(), base.namespaces());
        HostProfile h = f.matchingHost();
        HostProfile t = new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(), h.cpu(), h.xsave(), h.vdsoSize(),
                h.pidMax(), h.pidsInUse(), available, h.mounts(), h.cgroupVersion(), h.capEff(), h.lsm(), h.users(), h.groups(),
                h.listeningPorts(), h.files());
        return new ValidationContext(img, null, t);
    }

    @Test
    void fitsTightOrTooBig() throws Exception {
        assertEquals(List.of(), new MemoryRule().check(ctx(1010, 1L << 30)));
        assertEquals(Set.of("HOST_MEMORY_TIGHT"), codes(new MemoryRule().check(ctx(1010, 4096 * 1100))));
        assertEquals(Set.of("HOST_MEMORY"), codes(new MemoryRule().check(ctx(1010, 4096 * 900))));
    }
}
