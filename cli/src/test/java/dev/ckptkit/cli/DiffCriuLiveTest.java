package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two real dumps of one running memfile workload a few seconds apart ({@code criu dump --leave-running} twice):
 * the diff must show the page of the counter (+1 per second) as changed and no change in the 4 MiB pattern buffer.
 * Skips with the reason when criu cannot run here.
 */
class DiffCriuLiveTest extends LiveCriuTest {
    @Test
    void counterPageChangesPatternDoesNot() throws Exception {
        Memfile mf = startMemfile("1");
        int pid = mf.pid();
        long counter = mf.counterAddr(), buf = mf.bufAddr();
        Path first = tmp.resolve("first.ckpt"), second = tmp.resolve("second.ckpt");
        CliRunner c = CliRunner.run("capture", "--leave-running", Integer.toString(pid), "-o", first.toString());
        assertEquals(0, c.exit(), c.err());
        Thread.sleep(3000);
        c = CliRunner.run("capture", "--leave-running", Integer.toString(pid), "-o", second.toString());
        assertEquals(0, c.exit(), c.err());
        assertTrue(Workloads.alive(pid), "--leave-running keeps the workload alive");

        CliRunner r = CliRunner.run("diff", "--json", "--bytes", first.toString(), second.toString());
        assertEquals(1, r.exit(), r.err());
        JsonNode j = DiffSearchRealImagesTest.JSON.readTree(r.out());
        assertEquals("hashes", j.get("pageComparison").asText());
        assertEquals(0, j.at("/summary/processesAdded").asInt() + j.at("/summary/processesRemoved").asInt());
        boolean counterChanged = false;
        for (JsonNode a : j.get("memory")) {
            for (JsonNode g : a.get("ranges")) {
                long from = Long.parseUnsignedLong(g.get("start").asText().substring(2), 16);
                long to = from + g.get("pages").asLong() * 4096;
                if (g.get("kind").asText().equals("changed") && from <= counter && counter < to) counterChanged = true;
                assertTrue(to <= buf || from >= buf + (4 << 20), "no change in the 4 MiB pattern buffer: " + g);
            }
        }
        assertTrue(counterChanged, "the counter's page changed: " + j.get("memory"));
        boolean counterBytes = false;
        for (JsonNode b : j.get("byteRanges")) {
            long at = Long.decode(b.get("address").asText());
            if (at <= counter && counter < at + b.get("length").asInt()) counterBytes = true;
        }
        assertTrue(counterBytes || j.at("/summary/byteRangesOmitted").asLong() > 0, "a byte range covers the counter: " + j.get("byteRanges"));
        assertTrue(j.at("/summary/pagesCompared").asLong() > 1024, "the 4 MiB buffer was compared: " + j.get("summary"));

        CliRunner text = CliRunner.run("diff", first.toString(), second.toString());
        assertEquals(1, text.exit());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("different: ")), text.out());
    }
}
