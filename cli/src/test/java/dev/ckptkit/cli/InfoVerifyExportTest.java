package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfoVerifyExportTest {
    static final String GOLDEN = "v1.0-seed12-pages12-zstd3.ckpt";

    @TempDir
    Path tmp;

    @Test
    void infoShowsHeaderSectionsAndChecksums() {
        CliRunner r = CliRunner.run("info", CliRunner.golden(GOLDEN).toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("format:      CKPT 1.0"), r.out());
        assertTrue(r.out().contains("incompat:    zstd_sections"), r.out());
        assertTrue(r.out().contains("page-block"), r.out());
        assertTrue(r.out().contains("checksums:   OK"), r.out());
    }

    @Test
    void infoJsonHasTheSameFacts() throws IOException {
        CliRunner r = CliRunner.run("info", "--json", CliRunner.golden(GOLDEN).toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("1.0", j.get("format").asText());
        assertTrue(j.get("checksums").get("problems").isEmpty());
        assertEquals("test", j.get("manifest").get("producer").get("backend").asText());
        try (CkptReader reader = CkptReader.open(CliRunner.golden(GOLDEN))) {
            assertEquals(reader.header().uuid().toString(), j.get("uuid").asText());
            assertEquals(reader.fileLength(), j.get("bytes").asLong());
        }
    }

    @Test
    void verifyFailsWithOneLineNamingFileAndOffset() throws IOException {
        Path bad = tmp.resolve("bad.ckpt");
        byte[] b = Files.readAllBytes(CliRunner.golden(GOLDEN));
        b[b.length / 2] ^= 0x10;
        Files.write(bad, b);
        CliRunner r = CliRunner.run("verify", bad.toString());
        assertEquals(ExitCodes.NEGATIVE, r.exit());
        assertTrue(r.out().contains(bad + ": corrupt at offset "), r.out());
        assertFalse(r.out().contains("\tat "), "no stack trace");
        CliRunner ok = CliRunner.run("verify", CliRunner.golden(GOLDEN).toString());
        assertEquals(0, ok.exit());
        assertTrue(ok.out().contains(": OK ("), ok.out());
    }

    @Test
    void truncatedFileIsTroubleForInfoWithOneLine() throws IOException {
        Path bad = tmp.resolve("short.ckpt");
        byte[] b = Files.readAllBytes(CliRunner.golden(GOLDEN));
        Files.write(bad, java.util.Arrays.copyOf(b, b.length - 100));
        CliRunner r = CliRunner.run("info", bad.toString());
        assertEquals(ExitCodes.TROUBLE, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("ckpt: " + bad + ": corrupt at offset "), r.err());
        assertTrue(r.err().contains("truncated"), r.err());
    }

    @Test
    void missingFileSaysSo() {
        CliRunner r = CliRunner.run("info", "/nonexistent/x.ckpt");
        assertEquals(ExitCodes.TROUBLE, r.exit());
        assertEquals("ckpt: /nonexistent/x.ckpt: no such file or directory", r.err().strip());
    }

    /** Exported tables are plain Arrow IPC: apache-arrow for JavaScript reads them with the same rows. */
    @Test
    void exportedTablesReadWithApacheArrowJs() throws Exception {
        Path out = tmp.resolve("tables");
        CliRunner r = CliRunner.run("export", "--tables", out.toString(), CliRunner.golden(GOLDEN).toString());
        assertEquals(0, r.exit(), r.err());
        assumeTrue(which("node") && which("npm"), "node and npm are needed for the cross-implementation check");
        Path js = tmp.resolve("js");
        Path src = CliRunner.root().resolve("cli/src/test/node");
        Files.createDirectories(js);
        for (String f : List.of("package.json", ".npmrc", "read-tables.mjs")) Files.copy(src.resolve(f), js.resolve(f));
        run(js, "npm", "install", "--no-audit", "--no-fund", "--silent");
        String json = run(js, "node", "read-tables.mjs", out.toString());
        JsonNode j = new ObjectMapper().readTree(json);
        try (CkptReader reader = CkptReader.open(CliRunner.golden(GOLDEN))) {
            for (var t : Tables.STORED) {
                assertEquals(reader.table(t).size(), j.get(t.name()).get("rows").asInt(), t.name());
                assertEquals(t.name(), j.get(t.name()).get("table").asText());
            }
            var p = reader.table(Tables.PROCESSES).getFirst();
            JsonNode first = j.get("processes").get("first");
            assertEquals(p.pid(), first.get("pid").asInt());
            assertEquals(p.comm(), first.get("comm").asText());
            assertEquals(p.cmdline(), List.of(new ObjectMapper().treeToValue(first.get("cmdline"), String[].class)));
            assertEquals(Long.toString(p.capEff()), first.get("cap_eff").asText());
            assertEquals(reader.pages().size(), j.get("pages").get("rows").asLong());
        }
    }

    static boolean which(String cmd) {
        try {
            return new ProcessBuilder("sh", "-c", "command -v " + cmd).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String text = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + text);
        return text.lines().filter(l -> l.startsWith("{")).findFirst().orElse(text);
    }
}
