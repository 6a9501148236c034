package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TtyRuleTest {
    @Test
    void noTerminalNoFinding() {
        assertEquals(List.of(), new TtyRule().check(Fixture.oneProcess().alone()));
    }

    @Test
    void terminalOfOwnSessionIsAWarningOfAnOutsideSessionAnError() {
        Fixture f = Fixture.oneProcess();
        f.file(10, "tty", "/dev/pts/3", 2, null);
        f.fd(100, 0, 10);
        assertEquals(Set.of("LEAK_TTY"), codes(new TtyRule().check(f.alone())));
        Fixture g = new Fixture();
        g.process(100, 0, 100, 7);
        g.file(10, "tty", "/dev/pts/3", 2, null);
        assertEquals(Set.of("LEAK_TTY_OUTSIDE"), codes(new TtyRule().check(g.alone())));
    }
}
