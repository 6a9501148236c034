package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The elf-core backend through the CLI, on the real gcore core of testdata/elfcore (facts in memfile.txt). */
class ElfCoreCliTest {
    @TempDir
    Path dir;

    private Path core() throws Exception {
        Path out = dir.resolve("memfile.core");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(CliRunner.root().resolve("testdata/elfcore/memfile.core.gz")))) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
        return out;
    }

    @Test
    void analyzersWorkOnACoreDirectly() throws Exception {
        Path core = core();
        CliRunner ps = CliRunner.run("ps", core.toString());
        assertEquals(0, ps.exit(), ps.err());
        assertTrue(ps.out().matches("(?s).*\\n20439 .*/tmp/ckpt-work/bin/memfile 1 /tmp/ckpt-work/a\\n.*"), ps.out());
        CliRunner grep = CliRunner.run("grep", "CKPT-MARKER-1", core.toString());
        assertEquals(0, grep.exit(), grep.err());
        assertTrue(grep.out().contains("20439\t0x7f188ef80010\t"), grep.out());
        assertTrue(grep.out().contains("20439\t0x562440ac40a0\t"), grep.out());
    }

    @Test
    void convertBothWaysAndErrors() throws Exception {
        Path core = core();
        Path ckpt = dir.resolve("m.ckpt");
        CliRunner in = CliRunner.run("convert", core.toString(), "-o", ckpt.toString());
        assertEquals(0, in.exit(), in.err());
        assertTrue(in.out().contains("by elf-core"), in.out());

        Path cores = dir.resolve("cores");
        CliRunner all = CliRunner.run("convert", ckpt.toString(), "--to", "elf-core", "-o", cores.toString());
        assertEquals(0, all.exit(), all.err());
        assertTrue(Files.isRegularFile(cores.resolve("core.20439")));

        CliRunner bad = CliRunner.run("convert", ckpt.toString(), "--to", "elf-core", "--pid", "4242", "-o", dir.resolve("x").toString());
        assertEquals(ExitCodes.TROUBLE, bad.exit());
        assertEquals("ckpt: " + ckpt + ": no process with pid 4242 in the image (pids: 20439)\n", bad.err());

        Path cut = dir.resolve("cut.core");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(core), 3_000_000));
        CliRunner trunc = CliRunner.run("convert", cut.toString(), "-o", dir.resolve("t.ckpt").toString());
        assertEquals(ExitCodes.TROUBLE, trunc.exit());
        assertTrue(trunc.err().startsWith("ckpt: " + cut + ": corrupt at offset 4768760: note segment 0 "), trunc.err());
        assertEquals(1, trunc.err().lines().count());
        assertTrue(Files.notExists(dir.resolve("t.ckpt")));
    }

    /** A core has no CRIU records: --to criu makes the CRIU files from its tables, and they import back the same. */
    @Test
    void convertToCriuThroughTheTables() throws Exception {
        Path ckpt = dir.resolve("m.ckpt"), criu = dir.resolve("criu"), back = dir.resolve("back.ckpt");
        assertEquals(0, CliRunner.run("convert", core().toString(), "-o", ckpt.toString()).exit());
        CliRunner out = CliRunner.run("convert", ckpt.toString(), "--to", "criu", "-o", criu.toString());
        assertEquals(0, out.exit(), out.err());
        assertTrue(Files.isRegularFile(criu.resolve("core-20439.img")) && Files.isRegularFile(criu.resolve("pagemap-20439.img")));
        Path crit = CliRunner.root().resolve(".tools/criu/bin/crit");
        if (Files.isExecutable(crit)) {
            try (var files = Files.list(criu)) {
                for (Path f : files.filter(f -> !f.getFileName().toString().startsWith("pages-")).toList()) {
                    Process p = new ProcessBuilder(crit.toString(), "decode", "-i", f.toString())
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
                    assertEquals(0, p.exitValue(), "crit decode " + f.getFileName());
                }
            }
        }
        assertEquals(0, CliRunner.run("convert", criu.toString(), "-o", back.toString()).exit());
        try (var a = dev.ckptkit.io.CkptReader.open(ckpt); var b = dev.ckptkit.io.CkptReader.open(back)) {
            var ta = a.table(dev.ckptkit.io.table.Tables.THREADS);
            var tb = b.table(dev.ckptkit.io.table.Tables.THREADS);
            assertEquals(ta.stream().map(t -> t.tid() + " " + t.gpRegs()).toList(), tb.stream().map(t -> t.tid() + " " + t.gpRegs()).toList());
            assertEquals(a.pages().size() - absent(a.pages()), b.pages().size(), "every page with data");
        }
        CliRunner grep = CliRunner.run("grep", "CKPT-MARKER-1", back.toString());
        assertEquals(0, grep.exit(), grep.err());
        assertTrue(grep.out().contains("20439\t0x7f188ef80010\t"), grep.out());
    }

    private static long absent(dev.ckptkit.io.PageStore s) throws Exception {
        long n = 0;
        for (long i = 0; i < s.size(); i++) if (s.entry(i).absent()) n++;
        return n;
    }
}
