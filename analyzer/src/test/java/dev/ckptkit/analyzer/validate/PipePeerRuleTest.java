package dev.ckptkit.analyzer.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ckptkit.io.table.PipeRow;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipePeerRuleTest {
    @Test
    void bothEndsInsideIsFine() {
        Fixture f = Fixture.oneProcess();
        f.pipes.add(new PipeRow(10, 4242, null, 1, 0));
        f.pipes.add(new PipeRow(11, 4242, null, 0, 0));
        assertEquals(List.of(), new PipePeerRule().check(f.alone()));
    }

    @Test
    void onlyTheWriteEnd() {
        Fixture f = Fixture.oneProcess();
        f.file(10, "pipe", "pipe:[4242]", 1, null);
        f.fd(100, 1, 10);
        f.pipes.add(new PipeRow(10, 4242, null, 1, 0));
        List<Finding> out = new PipePeerRule().check(f.alone());
        assertEquals(1, out.size());
        assertEquals("LEAK_PIPE_PEER", out.get(0).code());
        assertEquals(Severity.WARNING, out.get(0).severity());
        assertEquals("pid 100 fd 1 (pipe:[4242])", out.get(0).object());
    }
}
