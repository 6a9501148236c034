package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.manifest.Manifest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CpuFeatureRuleTest {
    private static HostProfile withFlags(HostProfile h, List<String> flags, boolean keepXsave) {
        HostProfile p = new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(),
                new HostProfile.Cpu("GenuineIntel", "old", flags), null, h.vdsoSize(), h.pidMax(), h.pidsInUse(), h.memAvailable(),
                h.mounts(), h.cgroupVersion(), h.capEff(), h.lsm(), h.users(), h.groups(), h.listeningPorts(), h.files());
        return keepXsave ? p.withXsave(h.xsave()) : p;
    }

    @Test
    void targetWithAvx512Restores() {
        Fixture f = Fixture.oneProcess(); // threads used XSTATE_BV 0xA2: SSE, opmask, Hi16_ZMM (AVX-512)
        assertEquals(List.of(), new CpuFeatureRule().check(f.on(f.matchingHost())));
    }

    @Test
    void targetWithoutAvx512IsNoGoFromFlagsAlone() {
        Fixture f = Fixture.oneProcess();
        HostProfile old = withFlags(f.matchingHost(), List.of("fpu", "sse", "sse2", "xsave", "avx", "avx2"), false);
        List<Finding> out = new CpuFeatureRule().check(f.on(old));
        assertEquals(Set.of("HOST_XSAVE_MISSING"), codes(out));
        assertTrue(out.get(0).explanation().contains("AVX-512 opmask"), out.get(0).explanation());
        assertEquals("pid 100 tid 100", out.get(0).object());
    }

    @Test
    void explicitXsaveFeaturesWinOverFlags() {
        Fixture f = Fixture.oneProcess();
        HostProfile h = f.matchingHost().withXsave(new HostProfile.Xsave(0b111, 832, "given"));
        assertEquals(Set.of("HOST_XSAVE_MISSING"), codes(new CpuFeatureRule().check(f.on(h))));
    }

    @Test
    void noCpuFactsOnTargetIsUndecided() {
        Fixture f = Fixture.oneProcess();
        HostProfile h = withFlags(f.matchingHost(), null, false);
        assertEquals(Set.of("HOST_CPU_UNKNOWN"), codes(new CpuFeatureRule().check(f.on(h))));
    }

    @Test
    void checkpointHostFlagsMissingOnTargetWarn() {
        Fixture f = Fixture.oneProcess();
        f.host = new Manifest.Host(null, null, "x86_64", 4096, "GenuineIntel", "new", List.of("sse", "avx512f", "sha_ni", "hypervisor"), null, null);
        List<Finding> out = new CpuFeatureRule().check(f.on(f.matchingHost()));
        assertEquals(Set.of("HOST_CPU_FLAG_MISSING"), codes(out));
        assertTrue(out.get(0).explanation().endsWith("sha_ni"), out.get(0).explanation());
    }
}
