package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The README's first command, on the bundled real CRIU image: convert, inspect, export, convert back identical; then
 * a live program checkpointed, ended and restarted the userspace way.
 */
class DemoTest {
    @Test
    void demoConvertsInspectsAndRoundTripsTheBundledImage() {
        CliRunner r = CliRunner.run("demo");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("checksums:   OK"), r.out());
        assertTrue(r.out().contains("processes:   1 (threads 1, root pid 20439)"), r.out());
        assertTrue(r.out().contains("identical: every CRIU image file came back byte for byte"), r.out());
        // the live half: the restarted program counts on and keeps its pid (LiveDemo checks both, exit 0 says so)
        assertTrue(r.out().matches("(?s).*\\(restarted as pid \\d+: the counter went on from \\d+ to \\d+, and getpid\\(\\) there still says \\d+\\).*"), r.out());
    }
}
