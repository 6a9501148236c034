package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionRuleTest {
    @Test
    void ownSessionIsFine() {
        assertEquals(List.of(), new SessionRule().check(Fixture.oneProcess().alone()));
    }

    @Test
    void shellJob() {
        Fixture f = new Fixture();
        f.process(100, 0, 100, 50);
        assertEquals(Set.of("LEAK_SESSION_OUTSIDE"), codes(new SessionRule().check(f.alone())));
        Fixture g = new Fixture();
        g.process(100, 0, 60, 100);
        assertEquals(Set.of("LEAK_PGRP_OUTSIDE"), codes(new SessionRule().check(g.alone())));
    }

    /** A userspace restart runs in the restarting tool's session, whoever led the original one. */
    @Test
    void userspaceImagesAreNotConcerned() {
        Fixture f = new Fixture();
        f.style = "userspace";
        f.process(100, 0, 60, 50);
        assertEquals(List.of(), new SessionRule().check(f.alone()));
    }
}
