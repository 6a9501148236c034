package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ckptkit.analyzer.inspect.SyntheticImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The inspection commands on a synthetic image whose every fact is known; JSON keys are the documented schema. */
class InspectCommandsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path image;
    static SyntheticImage.Facts facts;

    @BeforeAll
    static void make() throws Exception {
        image = dir.resolve("s.ckpt");
        facts = SyntheticImage.write(image, 600 * 4096L, 0);
    }

    static JsonNode json(String... args) throws Exception {
        CliRunner r = CliRunner.run(args);
        assertEquals(0, r.exit(), r.err());
        return JSON.readTree(r.out());
    }

    static Set<String> keys(JsonNode o) {
        Set<String> s = new TreeSet<>();
        o.fieldNames().forEachRemaining(s::add);
        return s;
    }

    static Set<String> set(String... k) {
        return new TreeSet<>(List.of(k));
    }

    @Test
    void jsonSchemasHaveTheDocumentedFields() throws Exception {
        String img = image.toString();
        JsonNode ps = json("ps", "--json", "--env", img);
        assertEquals(set("image", "processes"), keys(ps));
        assertEquals(set("pid", "ppid", "pgid", "sid", "depth", "threads", "comm", "exe", "cmdline", "env", "uid", "gid", "state",
                "cwd", "root", "children"), keys(ps.get("processes").get(0)));
        JsonNode th = json("threads", "--json", img).get("threads").get(0);
        assertEquals(set("pid", "tid", "name", "arch", "registers", "fp", "sigBlocked", "sigPending", "syscall"), keys(th));
        assertEquals(set("format", "size", "xstateBv", "fcw", "fsw", "ftw", "mxcsr", "st", "vectors"), keys(th.get("fp")));
        assertEquals("0x37f", th.get("fp").get("fcw").asText());
        JsonNode area = json("maps", "--json", img).get("areas").get(0);
        assertEquals(set("pid", "start", "end", "size", "perms", "prot", "flags", "offset", "dev", "inode", "path", "kind", "name", "pages"), keys(area));
        assertEquals(set("dumped", "zero", "absent", "shared"), keys(area.get("pages")));
        JsonNode fds = json("fds", "--json", img).get("processes").get(0);
        assertEquals(set("pid", "cwd", "root", "fds"), keys(fds));
        assertEquals(set("fd", "fileId", "type", "target", "flags", "flagsValue", "cloexec", "pos", "size", "deleted", "attachment", "detail"),
                keys(fds.get("fds").get(0)));
        JsonNode sock = json("sockets", "--json", img).get("sockets").get(0);
        assertEquals(set("fileId", "family", "type", "protocol", "state", "local", "peer", "inode", "peerInode", "backlog", "holders"), keys(sock));
        JsonNode mount = json("mounts", "--json", img).get("mounts").get(0);
        assertEquals(set("mountId", "parentId", "depth", "mountpoint", "root", "fstype", "source", "options", "dev", "nsId", "external"), keys(mount));
        JsonNode show = json("show", "--json", img);
        assertEquals(set("image", "manifest", "processes", "threads", "areas", "fds", "sockets", "mounts"), keys(show));
        JsonNode strings = json("strings", "--json", "-n", "10", img);
        assertEquals(set("image", "minLength", "encodings", "hits", "count"), keys(strings));
        assertEquals(strings.get("hits").size(), strings.get("count").asInt());
        assertEquals(set("pid", "address", "encoding", "area", "text"), keys(strings.get("hits").get(0)));
        JsonNode grep = json("grep", "--json", "-C", "8", "CKPT-SHARED", img);
        assertEquals(set("image", "pattern", "hex", "context", "hits", "count"), keys(grep));
        assertEquals(set("pid", "address", "length", "area", "match", "context"), keys(grep.get("hits").get(0)));
        JsonNode hex = json("hexdump", "--json", "--pid", "101", "--addr", Long.toHexString(SyntheticImage.HEAP), "--len", "8K", img);
        assertEquals(set("image", "pid", "address", "length", "area", "chunks", "count"), keys(hex));
        assertEquals(set("address", "length", "dumped", "hex"), keys(hex.get("chunks").get(0)));
    }

    @Test
    void psDrawsTheTree() {
        CliRunner r = CliRunner.run("ps", image.toString());
        assertEquals(0, r.exit());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(1).endsWith("  bash /opt/run.sh"), lines.get(1));
        assertTrue(lines.get(2).endsWith("  \\_ worker --data"), lines.get(2));
        assertTrue(lines.get(3).endsWith("  \\_ reader"), lines.get(3));
    }

    @Test
    void stringsTextLinesAreTabSeparatedWithArea() {
        CliRunner r = CliRunner.run("strings", "--pid", "101", "-n", "10", image.toString());
        assertEquals(0, r.exit(), r.err());
        String marker = facts.markers().entrySet().iterator().next().getValue();
        long at = facts.markers().keySet().iterator().next();
        assertTrue(r.out().contains("101\t0x" + Long.toHexString(at) + "\tascii\t[anon]\t" + marker + "\n"), r.out().substring(0, 500));
        assertTrue(r.out().contains("101\t0x" + Long.toHexString(facts.wideMarker()) + "\tutf16le\t[heap]\t" + facts.wideText() + "\n"));
        assertTrue(r.out().lines().allMatch(l -> l.startsWith("101\t")));
    }

    @Test
    void extractWritesRawMemoryAndCarriedFiles() throws Exception {
        Path out = dir.resolve("cross.bin");
        long a = facts.crossPageMarker();
        CliRunner r = CliRunner.run("extract", image.toString(), "--pid", "101", "--range",
                Long.toHexString(a) + "-" + Long.toHexString(a + facts.crossPageText().length()), "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(facts.crossPageText(), Files.readString(out, StandardCharsets.US_ASCII));
        Path area = dir.resolve("heap.bin");
        r = CliRunner.run("extract", image.toString(), "--pid", "100", "--area", Long.toHexString(SyntheticImage.HEAP + 5), "-o", area.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(4 * 4096, Files.size(area));
        assertTrue(r.out().contains("(8192 from the image, 8192 zero-filled)"), r.out());
        Path ghost = dir.resolve("ghost.txt");
        r = CliRunner.run("extract", image.toString(), "--file", "/tmp/secret.txt", "-o", ghost.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("CKPT-GHOST-CONTENT\n", Files.readString(ghost));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ps", "threads", "maps", "fds", "sockets", "mounts", "show", "strings"})
    void unknownPidIsExit2WithAMessage(String cmd) {
        CliRunner r = CliRunner.run(cmd, "--pid", "4242", image.toString());
        assertEquals(ExitCodes.TROUBLE, r.exit());
        assertEquals("ckpt: pid 4242 is not in the image (it has pids 100, 101, 102)\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void badInputsAreOneLineErrors() {
        List<String[]> cases = new ArrayList<>(List.of(
                new String[] {"grep", "(unclosed", image.toString()},
                new String[] {"grep", "--hex", "4x", image.toString()},
                new String[] {"grep", "x", "--pid", "4242", image.toString()},
                new String[] {"hexdump", "--pid", "101", "--addr", "zz", image.toString()},
                new String[] {"hexdump", "--pid", "101", "--addr", "0x10", image.toString()},
                new String[] {"hexdump", "--pid", "4242", "--addr", Long.toHexString(SyntheticImage.HEAP), image.toString()},
                new String[] {"extract", image.toString(), "--file", "/nope", "-o", dir.resolve("n").toString()},
                new String[] {"extract", image.toString(), "--pid", "101", "--range", "20-10", "-o", dir.resolve("n").toString()},
                new String[] {"ps", dir.resolve("missing.ckpt").toString()}));
        for (String[] c : cases) {
            CliRunner r = CliRunner.run(c);
            assertEquals(ExitCodes.TROUBLE, r.exit(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().startsWith("ckpt: ") && r.err().lines().count() <= 2, String.join(" ", c) + ": " + r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        assertFalse(Files.exists(dir.resolve("n")));
    }
}
