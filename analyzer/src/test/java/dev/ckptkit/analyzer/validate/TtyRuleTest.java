package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.table.FileRow;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TtyRuleTest {
    @Test
    void noTerminalNoFinding() {
        assertEquals(List.of(), new TtyRule().check(Fixture.oneProcess().alone()));
    }

    @Test
    void withoutSessionColumnsTheProcessSessionsDecide() {
        Fixture f = Fixture.oneProcess();
        f.file(10, "tty", "/dev/pts/3", 2, null);
        f.fd(100, 0, 10);
        assertEquals(Set.of("LEAK_TTY"), codes(new TtyRule().check(f.alone())));
        Fixture g = new Fixture();
        g.process(100, 0, 100, 7);
        g.file(10, "tty", "/dev/pts/3", 2, null);
        assertEquals(Set.of("LEAK_TTY_OUTSIDE"), codes(new TtyRule().check(g.alone())));
    }

    private static void tty(Fixture f, long id, String path, int sid, int index) {
        f.files.add(new FileRow(id, "tty", path, 2, null, null, null, null, null, false, null, null).withTty(sid, sid, index));
    }

    /** testdata/criu/shelljob: the session leader is in the image, the pty master (script) is not. */
    @Test
    void slaveWhoseMasterIsOutside() {
        Fixture f = Fixture.oneProcess();
        tty(f, 10, "/dev/pts/0", 100, 0);
        f.fd(100, 0, 10);
        List<Finding> out = new TtyRule().check(f.alone());
        assertEquals(Set.of("LEAK_TTY_PEER_OUTSIDE"), codes(out));
        assertEquals(Severity.ERROR, out.getFirst().severity());
        assertTrue(out.getFirst().explanation().contains("Found slave peer index 0 without correspond master peer"));
        List<Finding> shellJob = new TtyRule().check(new ValidationContext(f.facts(), null, null, true));
        assertEquals(Severity.WARNING, shellJob.getFirst().severity(), "--shell-job gives it the restorer's terminal");
    }

    @Test
    void bothEndsInsideNeedNothing() {
        Fixture f = Fixture.oneProcess();
        tty(f, 10, "/dev/pts/0", 100, 0);
        tty(f, 11, "/dev/ptmx", 0, 0);
        assertEquals(List.of(), new TtyRule().check(f.alone()));
        tty(f, 12, "/dev/pts/1", 0, 1);
        assertEquals(Set.of("LEAK_TTY_PEER_OUTSIDE"), codes(new TtyRule().check(f.alone())), "pts 1 has no master");
    }

    @Test
    void terminalOfASessionOutside() {
        Fixture f = new Fixture();
        f.process(200, 0, 200, 150);
        tty(f, 10, "/dev/pts/4", 150, 4);
        tty(f, 11, "/dev/ptmx", 150, 4);
        List<Finding> out = new TtyRule().check(f.alone());
        assertEquals(Set.of("LEAK_TTY_OUTSIDE"), codes(out), "master inside, session outside");
        assertTrue(out.getFirst().explanation().contains("session 150"));
        f.files.removeIf(r -> r.id() == 11);
        assertEquals(Set.of("LEAK_TTY_OUTSIDE", "LEAK_TTY_PEER_OUTSIDE"), codes(new TtyRule().check(f.alone())),
                "a job of an interactive shell: session and master outside (criu reports the pty pair first)");
    }
}
