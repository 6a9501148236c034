package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The README's first command, on the bundled real CRIU image: convert, inspect, export, convert back identical. */
class DemoTest {
    @Test
    void demoConvertsInspectsAndRoundTripsTheBundledImage() {
        CliRunner r = CliRunner.run("demo");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("checksums:   OK"), r.out());
        assertTrue(r.out().contains("processes:   1 (threads 1, root pid 20439)"), r.out());
        assertTrue(r.out().contains("identical: every CRIU image file came back byte for byte"), r.out());
    }
}
