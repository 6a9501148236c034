package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PtraceRuleTest {
    @Test
    void untracedOrUnknownSaysNothing() {
        Fixture f = Fixture.oneProcess();
        assertEquals(List.of(), new PtraceRule().check(f.alone()), "tracer_pid null: not recorded");
        f.replaceProcess(f.processes.getFirst().withTracer(0));
        assertEquals(List.of(), new PtraceRule().check(f.alone()));
    }

    @Test
    void tracerOutsideIsALeakInsideIsNotRestored() {
        Fixture f = Fixture.oneProcess();
        f.process(101, 100, 100, 100);
        f.replaceProcess(f.processes.get(0).withTracer(4242));
        List<Finding> out = new PtraceRule().check(f.alone());
        assertEquals(Set.of("LEAK_TRACER_OUTSIDE"), codes(out));
        assertEquals("pid 100", out.getFirst().object());
        f.replaceProcess(f.processes.get(0).withTracer(101));
        assertEquals(Set.of("PTRACE_NOT_RESTORED"), codes(new PtraceRule().check(f.alone())));
    }
}
