package dev.ckptkit.cli;

import static dev.ckptkit.cli.CliRunner.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An incremental checkpoint chain with the real criu: capture the running memfile workload with --leave-running
 * (the "pre-dump"), let it run, capture it again against the first image (criu kills it), restore the second image
 * with its parent, and check the workload carries on. Then the same from the flattened image alone.
 */
class CriuIncrementalLiveTest extends LiveCriuTest {

    @Test
    void memfileRestoresFromAnIncrementalImageAndItsParent() throws Exception {
        Memfile mf = startMemfile("77");
        int pid = mf.pid();
        long counterAddr = mf.counterAddr(), bufAddr = mf.bufAddr();

        Path base = tmp.resolve("base.ckpt"), next = tmp.resolve("next.ckpt");
        ok("capture", "--backend", "criu", Integer.toString(pid), "--leave-running", "-o", base.toString());
        assertTrue(Workloads.alive(pid), "--leave-running keeps it running");
        Thread.sleep(2200);
        CliRunner cap = ok("capture", "--backend", "criu", Integer.toString(pid), "--parent", base.toString(), "-o", next.toString());
        Matcher m = Pattern.compile("(\\d+) pages \\((\\d+) in parent " + Pattern.quote(base.toString()) + "\\)").matcher(cap.out());
        assertTrue(m.find(), cap.out());
        long pages = Long.parseLong(m.group(1)), inParent = Long.parseLong(m.group(2));
        assertTrue(inParent > pages * 9 / 10 && inParent < pages, "most pages did not change, the counter's did: " + cap.out());
        Workloads.awaitGone(pid);
        assertFalse(Workloads.alive(pid));
        assertTrue(Files.size(next) < Files.size(base), Files.size(next) + " vs " + Files.size(base));
        try (CkptReader b = CkptReader.open(base); CkptReader n = CkptReader.open(next)) {
            assertEquals(b.header().uuid().toString(), n.manifest().parent().uuid());
            assertEquals("base.ckpt", n.manifest().parent().path());
        }

        // alone it cannot restore: one line, nothing started
        Path moved = Files.createDirectories(tmp.resolve("moved")).resolve("next.ckpt");
        Files.copy(next, moved);
        CliRunner alone = CliRunner.run("restore", moved.toString());
        assertEquals(ExitCodes.TROUBLE, alone.exit());
        assertTrue(alone.err().contains("give the parent with --parent FILE"), alone.err());
        assertFalse(Workloads.alive(pid));
        CliRunner plan = ok("restore", "--dry-run", moved.toString(), "--parent", base.toString());
        assertTrue(plan.out().contains("-> found at " + base) && plan.out().contains("ready: no problems found"), plan.out());

        int restored = Integer.parseInt(ok("restore", moved.toString(), "--parent", base.toString()).out().strip());
        started.add(restored);
        assertEquals(pid, restored);
        long after = Workloads.counter(restored, counterAddr);
        Thread.sleep(2200);
        long later = Workloads.counter(restored, counterAddr);
        assertTrue(later > after && after >= 2, "counter advances after restore: " + after + " -> " + later);
        assertEquals("CKPT-MARKER-77", new String(Workloads.mem(restored, bufAddr, 14), StandardCharsets.US_ASCII),
                "the marker page came from the parent image");
        Workloads.kill(restored);
        Workloads.awaitGone(restored);

        // flattened, the image restores alone
        Path full = tmp.resolve("full.ckpt");
        ok("convert", next.toString(), "--flatten", "-o", full.toString());
        int again = Integer.parseInt(ok("restore", full.toString()).out().strip());
        started.add(again);
        long c1 = Workloads.counter(again, counterAddr);
        Thread.sleep(2200);
        assertTrue(Workloads.counter(again, counterAddr) > c1, "the flattened image's process runs on");
        assertEquals("CKPT-MARKER-77", new String(Workloads.mem(again, bufAddr, 14), StandardCharsets.US_ASCII));
    }
}
