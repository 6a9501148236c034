package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The userspace benchmark runs end to end against the real criu, durable and not (figures are not asserted: no
 * timed tests; what is asserted is that each side really ran, CRIU's sync and the checkpoint command included).
 */
class BenchUserspaceTest extends LiveCriuTest {
    @Test
    void durableAndUnsyncedCheckpointsAreComparedWithTheirCriuCounterparts() throws Exception {
        for (String sync : new String[] {"--sync", "--no-sync"}) {
            CliRunner r = CliRunner.run("bench", "userspace", "--mib", "16", sync, "--json", "--work", tmp.resolve("w" + sync).toString());
            assertEquals(0, r.exit(), r.err());
            JsonNode row = new ObjectMapper().readTree(r.out()).get(0);
            assertTrue(row.get("criuError").isNull(), r.out());
            assertEquals(sync.equals("--sync"), row.get("synced").asBoolean(), r.out());
            assertTrue(row.get("criuDumpSeconds").asDouble() > 0 && row.get("criuSyncSeconds").asDouble() > 0, r.out());
            assertTrue(row.get("checkpointSeconds").asDouble() > 0 && row.get("restartSeconds").asDouble() > 0, r.out());
            // 'ckpt checkpoint' ran as a command of its own (a new JVM) and wrote its image
            assertTrue(row.get("commandSeconds").asDouble() > 0, r.out());
            // 16 MiB of dirtied memory in both images
            assertTrue(row.get("imageBytes").asLong() >= 16L << 20 && row.get("criuImageBytes").asLong() >= 16L << 20, r.out());
        }
    }
}
