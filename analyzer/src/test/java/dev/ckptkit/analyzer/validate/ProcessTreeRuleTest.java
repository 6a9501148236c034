package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcessTreeRuleTest {
    @Test
    void aTreeIsFine() {
        Fixture f = Fixture.oneProcess();
        f.process(101, 100, 100, 100);
        f.process(102, 101, 100, 100);
        assertEquals(List.of(), new ProcessTreeRule().check(f.alone()));
    }

    @Test
    void parentOutsideDuplicateAndSeveralRoots() {
        Fixture f = Fixture.oneProcess();
        f.process(101, 4242, 100, 100);
        f.process(100, 0, 100, 100);
        f.process(300, 0, 300, 300);
        assertEquals(Set.of("LEAK_PARENT_OUTSIDE", "TREE_DUPLICATE_PID", "TREE_MULTIPLE_ROOTS"),
                codes(new ProcessTreeRule().check(f.alone())));
    }

    /** ckpt launch / DMTCP: the launched root's parent is the launcher, outside the image; restart is below the restarter. */
    @Test
    void aUserspaceTreeMayHangBelowAParentOutside() {
        Fixture f = new Fixture();
        f.process(200, 4242, 4242, 4242);
        f.process(201, 200, 4242, 4242);
        assertEquals(Set.of("LEAK_PARENT_OUTSIDE"), codes(new ProcessTreeRule().check(f.alone())));
        f.style = "userspace";
        assertEquals(List.of(), new ProcessTreeRule().check(f.alone()));
    }

    @Test
    void cycle() {
        Fixture f = new Fixture();
        f.process(1, 0, 1, 1);
        f.process(10, 11, 1, 1);
        f.process(11, 10, 1, 1);
        assertTrue(codes(new ProcessTreeRule().check(f.alone())).contains("TREE_CYCLE"));
    }

    @Test
    void emptyImage() {
        assertEquals(Set.of("TREE_EMPTY"), codes(new ProcessTreeRule().check(new Fixture().alone())));
    }
}
