package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ckptkit.io.manifest.Manifest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArchRuleTest {
    @Test
    void sameArchAndPageSize() {
        Fixture f = Fixture.oneProcess();
        assertEquals(List.of(), new ArchRule().check(f.on(f.matchingHost())));
        assertEquals(List.of(), new ArchRule().check(f.alone()));
    }

    @Test
    void otherArchAndPageSize() {
        Fixture f = Fixture.oneProcess();
        f.host = new Manifest.Host(null, null, "aarch64", 65536, null, null, null, null, null);
        assertEquals(Set.of("HOST_ARCH", "HOST_PAGE_SIZE"), codes(new ArchRule().check(f.on(f.matchingHost()))));
    }
}
