package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.table.MountRow;
import dev.ckptkit.io.table.ProcessRow;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GlueRuleTest {
    @Test
    void plainProcessNeedsNoGlue() {
        assertEquals(List.of(), new GlueRule().check(Fixture.oneProcess().alone()));
    }

    @Test
    void theThreeKindsWithTheirEvidence() {
        Fixture f = Fixture.oneProcess();
        ProcessRow p = f.processes.get(0);
        f.replaceProcess(new ProcessRow(p.pid(), p.ppid(), p.pgid(), p.sid(), p.comm(), p.exe(), p.cmdline(),
                List.of("PATH=/bin", "DMTCP_COORD_HOST=node1", "LD_PRELOAD=/opt/shim.so", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus"),
                p.uid(), p.euid(), p.suid(), p.fsuid(), p.gid(), p.egid(), p.sgid(), p.fsgid(), p.groups(), p.capEff(), p.capPrm(),
                p.cwd(), p.root(), p.state(), p.exitCode(), p.threads()));
        f.area(100, 0x7f30_0000_0000L, 0x7f30_0001_0000L, 5, 2, "/usr/lib/x86_64-linux-gnu/libnss_sss.so.2", "file");
        f.area(100, 0x7f31_0000_0000L, 0x7f31_0001_0000L, 5, 2, "/usr/lib/libcriu.so.2", "file");
        f.file(10, "tty", "/dev/pts/1", 2, null);
        f.fd(100, 0, 10);
        f.socket(11, "unix", 0, "ESTABLISHED", null, "/var/run/nscd/socket", 1L, 2L);
        f.socket(12, "inet", 6, "ESTABLISHED", "10.0.0.5:40000", "10.0.0.9:5432", 3L, null);
        f.mounts.add(new MountRow(5, 1, "/mnt/s3", "/", "fuse.s3fs", "s3fs", "rw", null, 1L, false));
        List<Finding> out = new GlueRule().check(f.alone());
        assertEquals(Set.of("GLUE_CR_AWARE", "GLUE_INTERPOSITION", "GLUE_POST_RESTART_TTY", "GLUE_POST_RESTART_SOCKET",
                "GLUE_POST_RESTART_MOUNT"), codes(out));
        assertTrue(out.stream().allMatch(x -> x.severity() == Severity.INFO));
        assertTrue(out.stream().anyMatch(x -> x.object().equals("pid 100 env DMTCP_COORD_HOST")));
        assertTrue(out.stream().anyMatch(x -> x.object().contains("libnss_sss")));
        assertTrue(out.stream().anyMatch(x -> x.explanation().contains("nscd")));
    }
}
