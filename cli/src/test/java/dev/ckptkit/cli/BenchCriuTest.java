package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CRIU benchmark runs end to end on the small test images (figures are not asserted: no timed tests). */
class BenchCriuTest {
    @TempDir
    Path tmp;

    @Test
    void benchRunsOnTheTestImagesAndChecksTheExport() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/zstd")) || Files.isExecutable(Path.of("/bin/zstd")), "no zstd CLI");
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(new BenchCriuCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute("--runs", "1", "--work", tmp.resolve("work").toString());
        assertEquals(0, rc, err.toString());
        String text = out.toString();
        for (String image : new String[] {"memfile", "tree", "tcp"}) assertTrue(text.contains("/" + image + "  ("), text);
        assertEquals(3, text.split("byte-identical: yes", -1).length - 1, text);
        assertTrue(text.contains("x zstd size"), text);
        // every import variant, durable and not, for each image
        assertEquals(6, text.split("import --no-dedup", -1).length - 1, text);
        assertEquals(3, text.split("import --no-dedup --no-sync ", -1).length - 1, text);
        assertEquals(3, text.split("import --zstd 1 --no-sync ", -1).length - 1, text);
    }
}
