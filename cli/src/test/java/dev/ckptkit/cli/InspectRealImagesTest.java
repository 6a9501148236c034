package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The inspection and forensics commands on the real CRIU images of testdata/ (converted with the CRIU backend),
 * checked against what crit printed for the same images (crit x ps/fds/mems in NAME.crit.tar.gz) and against the
 * facts of NAME.txt (marker strings and counters at their addresses, read from the pages when the image was made).
 */
class InspectRealImagesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static final Map<String, Path> CKPT = new HashMap<>();
    static final Map<String, Path> CRIT = new HashMap<>();

    @BeforeAll
    static void convert() throws Exception {
        for (String name : List.of("memfile", "tree", "tcp")) {
            untar(CliRunner.root().resolve("testdata/criu/" + name + ".tar.gz"), dir);
            untar(CliRunner.root().resolve("testdata/criu/" + name + ".crit.tar.gz"), dir);
            Path out = dir.resolve(name + ".ckpt");
            CliRunner r = CliRunner.run("convert", dir.resolve(name).toString(), "-o", out.toString());
            assertEquals(0, r.exit(), r.err());
            CKPT.put(name, out);
            CRIT.put(name, dir.resolve(name + ".crit"));
        }
    }

    static JsonNode json(String... args) throws IOException {
        CliRunner r = CliRunner.run(args);
        assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
        return JSON.readTree(r.out());
    }

    static String facts(String name) throws IOException {
        return Files.readString(CliRunner.root().resolve("testdata/criu/" + name + ".txt"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"memfile", "tree", "tcp"})
    void processTreeMatchesCritXPs(String name) throws Exception {
        // crit x ps: PID PGID SID COMM, COMM indented by 4 spaces per tree level
        List<String> lines = Files.readAllLines(CRIT.get(name).resolve("x-ps.txt"));
        List<String> expected = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            Matcher m = Pattern.compile("\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)   ( *)(\\S+)").matcher(l);
            assertTrue(m.matches(), l);
            expected.add(m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + m.group(4).length() / 4 + " " + m.group(5));
        }
        List<String> got = new ArrayList<>();
        for (JsonNode p : json("ps", "--json", CKPT.get(name).toString()).get("processes")) {
            got.add(p.get("pid").asInt() + " " + p.get("pgid").asInt() + " " + p.get("sid").asInt() + " " + p.get("depth").asInt()
                    + " " + p.get("comm").asText());
        }
        assertEquals(expected, got);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memfile", "tree", "tcp"})
    void fdsMatchCritXFds(String name) throws Exception {
        // crit x fds: "PID" then "\t   FD: TARGET", "\t  cwd: PATH", "\t root: PATH"
        Map<Integer, Map<String, String>> expected = new TreeMap<>();
        Map<String, String> cur = null;
        for (String l : Files.readAllLines(CRIT.get(name).resolve("x-fds.txt"))) {
            if (l.matches("\\d+")) expected.put(Integer.parseInt(l), cur = new LinkedHashMap<>());
            else if (!l.isBlank()) {
                String[] kv = l.trim().split(": ", 2);
                cur.put(kv[0], kv[1].replaceFirst("^[A-Z]+SK\\.", "SOCKET."));
            }
        }
        Map<Integer, Map<String, String>> got = new TreeMap<>();
        for (JsonNode p : json("fds", "--json", CKPT.get(name).toString()).get("processes")) {
            Map<String, String> m = new LinkedHashMap<>();
            for (JsonNode f : p.get("fds")) m.put(f.get("fd").asText(), critStyle(f));
            m.put("cwd", p.get("cwd").asText());
            m.put("root", p.get("root").asText());
            got.put(p.get("pid").asInt(), m);
        }
        assertEquals(expected, got);
    }

    /** crit x fds names pipes pipe[INODE], sockets by their files.img entry (INETSK.ID), files by path. */
    private static String critStyle(JsonNode fd) {
        if (fd.get("type").asText().equals("socket")) return "SOCKET." + fd.get("fileId").asLong();
        return fd.get("target").asText().replaceFirst("^pipe:\\[", "pipe[");
    }

    @ParameterizedTest
    @ValueSource(strings = {"memfile", "tree", "tcp"})
    void mapsMatchCritXMems(String name) throws Exception {
        // crit x mems: "START-END  rwx [PATH [+ 0xOFFSET]]" per area, after an "exe" line
        Map<Integer, List<String>> expected = new TreeMap<>();
        List<String> cur = null;
        Pattern area = Pattern.compile("\\t([0-9a-f]+)-([0-9a-f]+)\\s+([-r][-w][-x])\\s*(/\\S+)?(?: \\+ 0x([0-9a-f]+))?.*");
        for (String l : Files.readAllLines(CRIT.get(name).resolve("x-mems.txt"))) {
            if (l.matches("\\d+")) {
                expected.put(Integer.parseInt(l), cur = new ArrayList<>());
                continue;
            }
            Matcher m = area.matcher(l);
            if (!m.matches()) continue;  // the exe line
            String path = m.group(4) == null ? "" : m.group(4);
            long off = m.group(5) == null ? 0 : Long.parseLong(m.group(5), 16);
            cur.add(m.group(1) + "-" + m.group(2) + " " + m.group(3) + " " + path + (path.isEmpty() ? "" : " " + off));
        }
        Map<Integer, List<String>> got = new TreeMap<>();
        for (JsonNode a : json("maps", "--json", CKPT.get(name).toString()).get("areas")) {
            String path = a.get("path").isNull() ? "" : a.get("path").asText();
            if (!path.startsWith("/")) path = "";
            got.computeIfAbsent(a.get("pid").asInt(), k -> new ArrayList<>()).add(a.get("start").asText().substring(2) + "-"
                    + a.get("end").asText().substring(2) + " " + a.get("perms").asText().substring(0, 3) + " " + path
                    + (path.isEmpty() ? "" : " " + a.get("offset").asLong()));
        }
        assertEquals(expected, got);
    }

    @Test
    void memfileMarkersAreFoundWhereTheWorkloadPutThem() throws Exception {
        String facts = facts("memfile");
        long heap = hex(find(facts, "malloc\\(4 MiB\\) at (0x[0-9a-f]+)"));
        long global = hex(find(facts, "marker\\[64\\] = \"CKPT-MARKER-1\" at (0x[0-9a-f]+)"));
        String img = CKPT.get("memfile").toString();
        // strings: both copies, in their areas
        CliRunner s = CliRunner.run("strings", "-n", "8", "-e", "ascii", img);
        assertEquals(0, s.exit(), s.err());
        assertTrue(s.out().contains("20439\t0x" + Long.toHexString(heap) + "\tascii\t[anon]\tCKPT-MARKER-1\n"), s.out());
        assertTrue(s.out().contains("20439\t0x" + Long.toHexString(global) + "\tascii\t/tmp/ckpt-work/bin/memfile\tCKPT-MARKER-1\n"));
        // grep: exactly the two markers (the heap pattern is "PATTERN-0123456", not a marker)
        JsonNode g = json("grep", "--json", "CKPT-MARKER-[0-9]+", img);
        List<String> at = new ArrayList<>();
        for (JsonNode h : g.get("hits")) at.add(h.get("address").asText() + " " + h.get("match").get("text").asText());
        assertTrue(at.contains("0x" + Long.toHexString(heap) + " CKPT-MARKER-1"), at.toString());
        assertTrue(at.contains("0x" + Long.toHexString(global) + " CKPT-MARKER-1"), at.toString());
        // the 4 MiB buffer: 262142 whole copies of the 16-byte pattern follow the 32-byte marker; one more copy is the
        // string literal in the program's read-only data
        CliRunner grep = CliRunner.run("grep", "PATTERN-0123456\\n", img);
        assertEquals((4194304 - 32) / 16, grep.out().lines().filter(l -> l.contains("\t[anon]\t")).count());
        assertEquals(1, grep.out().lines().filter(l -> l.contains("\t/tmp/ckpt-work/bin/memfile\t")).count());
        // hexdump at the heap address shows the marker, then NULs collapsed into '*'? no: 19 NULs then the pattern
        CliRunner h = CliRunner.run("hexdump", "--pid", "20439", "--addr", Long.toHexString(heap), "--len", "64", img);
        assertEquals(0, h.exit(), h.err());
        assertTrue(h.out().contains(String.format("%012x  43 4b 50 54 2d 4d 41 52  4b 45 52 2d 31 00 00 00  |CKPT-MARKER-1...|", heap)), h.out());
        assertTrue(h.out().contains("|PATTERN-0123456.|"), h.out());
        assertTrue(h.out().contains("\n*\n"), "repeated pattern lines collapse: " + h.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"memfile", "tree", "tcp"})
    void countersHaveTheirValuesInTheImage(String name) throws Exception {
        // "counter at 0xADDR; ... value in image: N" or "`name` at 0xADDR = N in image"
        Matcher m = Pattern.compile("at (0x[0-9a-f]+)(?:; [^\\n]*?value in image: | = )(\\d+)").matcher(facts(name));
        int checked = 0;
        while (m.find()) {
            long addr = hex(m.group(1));
            long value = Long.parseLong(m.group(2));
            Path out = dir.resolve(name + "-" + m.group(1) + ".bin");
            int pid = pidHolding(name, addr);
            CliRunner r = CliRunner.run("extract", CKPT.get(name).toString(), "--pid", Integer.toString(pid), "--range",
                    Long.toHexString(addr) + "-" + Long.toHexString(addr + 8), "-o", out.toString());
            assertEquals(0, r.exit(), r.err());
            assertEquals(value, ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN).getLong(), name + " " + m.group(1));
            checked++;
        }
        assertTrue(checked >= 1, "no counter facts in " + name + ".txt");
    }

    /** The process with a dumped page at {@code addr} (PIE addresses differ per process in tree). */
    private static int pidHolding(String name, long addr) throws Exception {
        for (JsonNode a : json("maps", "--json", CKPT.get(name).toString()).get("areas")) {
            long s = hex(a.get("start").asText()), e = hex(a.get("end").asText());
            if (Long.compareUnsigned(addr, s) >= 0 && Long.compareUnsigned(addr, e) < 0 && a.get("pages").get("dumped").asLong() > 0) {
                return a.get("pid").asInt();
            }
        }
        throw new AssertionError("no area holds 0x" + Long.toHexString(addr));
    }

    @Test
    void tcpListenSocketIsShownWithItsHolder() throws Exception {
        JsonNode s = json("sockets", "--json", CKPT.get("tcp").toString()).get("sockets");
        assertEquals(1, s.size());
        assertEquals("LISTEN", s.get(0).get("state").asText());
        assertEquals("127.0.0.1:47001", s.get(0).get("local").asText());
        assertEquals("28715/3", s.get(0).get("holders").get(0).asText());
    }

    @Test
    void memfileEnvironmentAndThreadsAreDecoded() throws Exception {
        JsonNode p = json("ps", "--json", "--env", CKPT.get("memfile").toString()).get("processes").get(0);
        boolean found = false;
        for (JsonNode e : p.get("env")) found |= e.asText().equals("CKPT_TEST=1");
        assertTrue(found, p.toString());
        // registers against crit's decode of core-20439.img
        JsonNode core = JSON.readTree(CRIT.get("memfile").resolve("core-20439.json").toFile());
        JsonNode gp = core.get("entries").get(0).get("thread_info").get("gpregs");
        JsonNode regs = json("threads", "--json", CKPT.get("memfile").toString()).get("threads").get(0).get("registers");
        Map<String, String> critNames = Map.of("rip", "ip", "rsp", "sp", "rax", "ax", "orig_rax", "orig_ax", "eflags", "flags", "rbp", "bp");
        for (var e : critNames.entrySet()) assertEquals(gp.get(e.getValue()).asText(), regs.get(e.getKey()).asText(), e.getKey());
        assertEquals(Registers27.NAMES, iterate(regs));
    }

    /** x86_64 user_regs_struct order as the brief lists it. */
    static final class Registers27 {
        static final List<String> NAMES = List.of("r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax",
                "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs");
    }

    private static List<String> iterate(JsonNode o) {
        List<String> out = new ArrayList<>();
        o.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void missingPidsAndAddressesAreErrorsNotEmptySuccess() {
        String img = CKPT.get("memfile").toString();
        CliRunner r = CliRunner.run("maps", "--pid", "1", img);
        assertEquals(ExitCodes.TROUBLE, r.exit());
        assertTrue(r.err().contains("pid 1 is not in the image (it has pid 20439)"), r.err());
        assertEquals("", r.out());
        r = CliRunner.run("hexdump", "--pid", "20439", "--addr", "0x1000", img);
        assertEquals(ExitCodes.TROUBLE, r.exit());
        assertTrue(r.err().contains("address 0x1000 is not in any memory area of pid 20439"), r.err());
        r = CliRunner.run("extract", img, "--pid", "20439", "--range", "1000-2000", "-o", dir.resolve("x").toString());
        assertEquals(ExitCodes.TROUBLE, r.exit());
        assertFalse(Files.exists(dir.resolve("x")));
        r = CliRunner.run("grep", "NOT-IN-THIS-IMAGE", img);
        assertEquals(ExitCodes.NEGATIVE, r.exit());
    }

    @Test
    void showPrintsEverySection() {
        CliRunner r = CliRunner.run("show", CKPT.get("tree").toString());
        assertEquals(0, r.exit(), r.err());
        for (String h : List.of("== Processes ==", "== Threads ==", "== Memory ==", "== Files ==", "== Sockets ==", "== Mounts =="))
            assertTrue(r.out().contains(h), h);
        assertTrue(r.out().contains("pipe:[49586]"), r.out());
    }

    @Test
    void podmanArchiveIsInspectedDirectly() throws Exception {
        String archive = CliRunner.root().resolve("testdata/podman/podman-sh.tar.gz").toString();
        JsonNode ps = json("ps", "--json", archive).get("processes");
        assertEquals(1, ps.get(0).get("pid").asInt());
        assertEquals("sh", ps.get(0).get("comm").asText());
        assertTrue(ps.get(0).get("cmdline").toString().contains("X=CKPT-PODMAN-MARKER"), ps.toString());
        // the marker is in the shell's memory (its variables and the command line on its stack)
        CliRunner g = CliRunner.run("grep", "--pid", "1", "CKPT-PODMAN-MARKER", archive);
        assertEquals(0, g.exit(), g.err());
        assertTrue(g.out().lines().anyMatch(l -> l.contains("\t[stack]\t")), g.out());
        // rootfs-diff.tar is carried: found by its last name, and it holds the counter file
        Path diff = dir.resolve("diff.tar");
        CliRunner x = CliRunner.run("extract", archive, "--file", "rootfs-diff.tar", "-o", diff.toString());
        assertEquals(0, x.exit(), x.err());
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(diff))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) names.add(e.getName());
        }
        assertTrue(names.contains("tmp/count"), names.toString());
    }

    static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex);
        return m.group(1);
    }

    static long hex(String s) {
        return Long.parseUnsignedLong(s.startsWith("0x") ? s.substring(2) : s, 16);
    }

    static void untar(Path tgz, Path into) throws IOException {
        try (InputStream in = new GzipCompressorInputStream(Files.newInputStream(tgz));
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                Path t = into.resolve(e.getName()).normalize();
                if (!t.startsWith(into)) throw new IOException("entry escapes: " + e.getName());
                if (e.isDirectory()) Files.createDirectories(t);
                else {
                    Files.createDirectories(t.getParent());
                    Files.copy(tar, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
