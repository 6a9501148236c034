package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ckptkit.io.table.ThreadRow;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReferenceRuleTest {
    @Test
    void consistentImageHasNoFinding() throws Exception {
        Fixture f = Fixture.oneProcess();
        f.fd(100, 3, 1);
        assertEquals(List.of(), new ReferenceRule().check(f.alone()));
    }

    @Test
    void danglingFdThreadAndArea() throws Exception {
        Fixture f = Fixture.oneProcess();
        f.fd(100, 7, 99);
        f.threads.add(new ThreadRow(555, 556, "x", "x86_64", List.of(), new byte[0], "fxsave", null, 0L, 0L, null));
        f.area(777, 0x1000, 0x2000, 3, 0x22, null, "anon");
        List<Finding> out = new ReferenceRule().check(f.alone());
        assertEquals(Set.of("REF_FD_FILE", "REF_THREAD_PROCESS", "REF_AREA_PROCESS"), codes(out));
        assertEquals("pid 100 fd 7", out.get(0).object());
    }
}
