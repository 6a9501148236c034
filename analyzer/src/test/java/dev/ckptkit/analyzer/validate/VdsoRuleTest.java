package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VdsoRuleTest {
    private static Fixture withVdso(long size) {
        Fixture f = Fixture.oneProcess();
        f.area(100, 0x7fff_f000_0000L, 0x7fff_f000_0000L + size, 5, 2, "[vdso]", "vdso");
        return f;
    }

    @Test
    void sameSizeOrUnknownSaysNothing() {
        Fixture f = withVdso(8192);
        assertEquals(List.of(), new VdsoRule().check(f.on(f.matchingHost())), "matchingHost has an 8 KiB vDSO");
        assertEquals(List.of(), new VdsoRule().check(f.on(f.matchingHost().withVdsoSize(null))));
        Fixture none = Fixture.oneProcess();
        assertEquals(List.of(), new VdsoRule().check(none.on(none.matchingHost().withVdsoSize(4096L))));
    }

    @Test
    void otherSizeIsANoteForCriuAndANoGoForUserspace() {
        Fixture f = withVdso(4096);
        List<Finding> kernel = new VdsoRule().check(f.on(f.matchingHost()));
        assertEquals(Set.of("HOST_VDSO_PROXY"), codes(kernel));
        assertEquals(Severity.INFO, kernel.getFirst().severity());
        f.style = "userspace";
        List<Finding> user = new VdsoRule().check(f.on(f.matchingHost()));
        assertEquals(Set.of("HOST_VDSO_DIFFERENT"), codes(user));
        assertEquals(Severity.ERROR, user.getFirst().severity());
    }
}
