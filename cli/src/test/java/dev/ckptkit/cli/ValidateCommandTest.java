package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ckptkit.analyzer.validate.HostProfile;
import dev.ckptkit.analyzer.validate.HostProfiles;
import dev.ckptkit.analyzer.validate.ImageFacts;
import dev.ckptkit.analyzer.validate.Rule;
import dev.ckptkit.analyzer.validate.NeededFiles;
import dev.ckptkit.io.CkptReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * validate and host-profile on the real CRIU images of testdata/, against target profiles derived from this host's:
 * a "twin" of the checkpoint host (every needed file present as recorded, pids free) and twins with one fact changed.
 */
class ValidateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HostProfiles IO = new HostProfiles();

    @TempDir
    static Path dir;

    static Path image(String name) throws Exception {
        Path out = dir.resolve(name + ".ckpt");
        if (!Files.exists(out)) {
            InspectRealImagesTest.untar(CliRunner.root().resolve("testdata/criu/" + name + ".tar.gz"), dir);
            CliRunner r = CliRunner.run("convert", dir.resolve(name).toString(), "-o", out.toString());
            assertEquals(0, r.exit(), r.err());
        }
        return out;
    }

    @BeforeAll
    static void images() throws Exception {
        for (String n : List.of("memfile", "tcp", "tree")) image(n);
    }

    /** This host's profile, turned into the checkpoint host's twin: needed files as the image recorded them, pids free. */
    static HostProfile twin(Path image) throws Exception {
        CliRunner p = CliRunner.run("host-profile", "--for", image.toString());
        assertEquals(0, p.exit(), p.err());
        Path f = dir.resolve("here.json");
        Files.writeString(f, p.out());
        HostProfile h = IO.read(f);
        List<HostProfile.NeededFile> files = new ArrayList<>();
        try (CkptReader r = CkptReader.open(image)) {
            for (NeededFiles.Need n : NeededFiles.of(ImageFacts.load(r))) {
                files.add(new HostProfile.NeededFile(n.path(), true, n.type(), n.size(), 0L, n.buildId()));
            }
        }
        return new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(), h.cpu(), h.xsave(), h.vdsoSize(),
                h.pidMax(), List.of(1), h.memAvailable(), h.mounts(), h.cgroupVersion(), h.capEff(), h.lsm(), h.users(), h.groups(),
                List.of(), files);
    }

    static HostProfile edit(HostProfile h, String path, UnaryOperator<HostProfile.NeededFile> change) {
        List<HostProfile.NeededFile> files = new ArrayList<>(h.files());
        files.replaceAll(f -> f.path().equals(path) ? change.apply(f) : f);
        return h.withFiles(files);
    }

    static CliRunner validate(Path image, HostProfile target, String... more) throws Exception {
        Path t = Files.createTempFile(dir, "target", ".json");
        IO.write(target, t);
        List<String> args = new ArrayList<>(List.of("validate", image.toString(), "--target", t.toString()));
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    static Set<String> errors(CliRunner r) throws Exception {
        Set<String> codes = new TreeSet<>();
        for (JsonNode f : JSON.readTree(r.out()).get("findings")) {
            if (f.get("severity").asText().equals("ERROR")) codes.add(f.get("code").asText());
        }
        return codes;
    }

    @Test
    void twinOfTheCheckpointHostIsGo() throws Exception {
        for (String n : List.of("memfile", "tcp", "tree")) {
            CliRunner r = validate(image(n), twin(image(n)), "--json");
            assertEquals(0, r.exit(), n + ": " + r.out());
            assertEquals("GO", JSON.readTree(r.out()).get("verdict").asText());
        }
    }

    @Test
    void theImageCarriesCriuBuildIds() throws Exception {
        try (CkptReader r = CkptReader.open(image("memfile"))) {
            NeededFiles.Need libc = NeededFiles.of(ImageFacts.load(r)).stream()
                    .filter(n -> n.path().endsWith("/libc.so.6")).findFirst().orElseThrow();
            // crit: reg.build_id [3965824147, 967937626, ...]: u32 words of the note bytes, little-endian
            assertTrue(libc.buildId().startsWith(String.format("%02x%02x%02x%02x", 3965824147L & 0xff, (3965824147L >> 8) & 0xff,
                    (3965824147L >> 16) & 0xff, (3965824147L >> 24) & 0xff)), libc.buildId());
            assertEquals(40, libc.buildId().length());
            assertEquals(1926232L, libc.size());
        }
    }

    @Test
    void oneChangedFactMakesNoGoWithItsReasonCode() throws Exception {
        Path memfile = image("memfile");
        HostProfile t = twin(memfile);
        String libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
        assertEquals(Set.of("HOST_FILE_BUILD_ID"), errors(validate(memfile,
                edit(t, libc, f -> new HostProfile.NeededFile(f.path(), true, "reg", f.size(), 0L, "00" + f.buildId().substring(2))), "--json")));
        assertEquals(Set.of("HOST_FILE_SIZE"), errors(validate(memfile,
                edit(t, "/tmp/ckpt-work/a/data.txt", f -> new HostProfile.NeededFile(f.path(), true, "reg", 52L, 0L, null)), "--json")));
        assertEquals(Set.of("HOST_DIR_MISSING"), errors(validate(memfile,
                edit(t, "/tmp/ckpt-work/a", f -> new HostProfile.NeededFile(f.path(), false, null, null, null, null)), "--json")));
        HostProfile busy = new HostProfile(t.schema(), t.hostname(), t.kernel(), t.arch(), t.pageSize(), t.cpu(), t.xsave(),
                t.vdsoSize(), t.pidMax(), List.of(1, 20439), t.memAvailable(), t.mounts(), t.cgroupVersion(), t.capEff(), t.lsm(),
                t.users(), t.groups(), t.listeningPorts(), t.files());
        CliRunner r = validate(memfile, busy);
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("NO-GO"), r.out());
        assertTrue(r.out().contains("HOST_PID_TAKEN") && r.out().contains("pid 20439") && r.out().contains("-> stop the process"), r.out());

        Path tcp = image("tcp");
        HostProfile tt = twin(tcp);
        HostProfile portTaken = new HostProfile(tt.schema(), tt.hostname(), tt.kernel(), tt.arch(), tt.pageSize(), tt.cpu(), tt.xsave(),
                tt.vdsoSize(), tt.pidMax(), tt.pidsInUse(), tt.memAvailable(), tt.mounts(), tt.cgroupVersion(), tt.capEff(), tt.lsm(),
                tt.users(), tt.groups(), List.of(new HostProfile.ListeningPort("tcp", "0.0.0.0", 47001)), tt.files());
        assertEquals(Set.of("HOST_PORT_TAKEN"), errors(validate(tcp, portTaken, "--json")));
    }

    @Test
    void withoutTargetOnlyTheImageIsCheckedAndTheAnswerIsUndecided() throws Exception {
        CliRunner r = CliRunner.run("validate", image("tree").toString(), "--json");
        assertEquals(2, r.exit(), r.out());
        JsonNode rep = JSON.readTree(r.out());
        assertEquals("UNDECIDED", rep.get("verdict").asText());
        Set<String> codes = new TreeSet<>();
        for (JsonNode f : rep.get("findings")) codes.add(f.get("code").asText());
        assertEquals(Set.of("TARGET_NONE"), codes, "the tree image is whole: both pipe ends, session inside");
        assertEquals(Rule.all().size(), rep.get("rules").size());
    }

    /** testdata/criu/shelljob: the pty master stayed with script(1), outside; only a shell-job restore can take it. */
    @Test
    void shellJobImageNeedsShellJob() throws Exception {
        CliRunner r = CliRunner.run("validate", image("shelljob").toString(), "--json");
        assertEquals(1, r.exit(), r.out());
        JsonNode rep = JSON.readTree(r.out());
        JsonNode first = rep.get("findings").get(0);
        assertEquals("LEAK_TTY_PEER_OUTSIDE", first.get("code").asText());
        assertEquals("ERROR", first.get("severity").asText());
        assertEquals("pid 13571 fd 0, pid 13571 fd 1, pid 13571 fd 2, pid 13690 fd 0, pid 13690 fd 1, pid 13690 fd 2 (/dev/pts/0)",
                first.get("object").asText());
        CliRunner s = CliRunner.run("validate", image("shelljob").toString(), "--json", "--shell-job");
        assertEquals(2, s.exit(), "no error left, no target: could not decide");
        Set<String> warnings = new TreeSet<>();
        for (JsonNode f : JSON.readTree(s.out()).get("findings")) if (f.get("severity").asText().equals("WARNING")) warnings.add(f.get("code").asText());
        assertEquals(Set.of("LEAK_PIPE_PEER", "LEAK_TTY_PEER_OUTSIDE"), warnings, "fd 251: a pipe whose writer stayed outside");
    }

    /** A Podman archive restores into its own namespaces from a root file system the container engine provides. */
    @Test
    void containerArchiveIsUndecidedWithTheEngineSideNamed() throws Exception {
        CliRunner r = CliRunner.run("validate", CliRunner.root().resolve("testdata/podman/podman-sh.tar.gz").toString(), "--here", "--json");
        assertEquals(2, r.exit(), r.out() + r.err());
        Set<String> codes = new TreeSet<>();
        for (JsonNode f : JSON.readTree(r.out()).get("findings")) codes.add(f.get("code").asText());
        assertTrue(codes.containsAll(Set.of("HOST_FILES_IN_CONTAINER", "HOST_MOUNT_EXTERNAL", "LEAK_PIPE_PEER")), codes.toString());
        assertFalse(codes.contains("HOST_PID_TAKEN") || codes.contains("HOST_FILE_MISSING"), "pid 1 and container paths are not host facts: " + codes);
    }

    @Test
    void damagedTableIsNoGoNotTrouble() throws Exception {
        Path copy = dir.resolve("damaged.ckpt");
        Files.copy(image("tcp"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long at;
        try (CkptReader r = CkptReader.open(copy)) {
            at = r.sections().stream().filter(s -> s instanceof dev.ckptkit.io.Section.Table t && t.table().equals("processes"))
                    .findFirst().orElseThrow().info().payloadOffset() + 40;
        }
        byte[] b = Files.readAllBytes(copy);
        b[(int) at] ^= 0x5a;
        Files.write(copy, b);
        CliRunner r = CliRunner.run("validate", copy.toString(), "--json");
        assertEquals(1, r.exit(), r.out() + r.err());
        Set<String> codes = errors(r);
        assertTrue(codes.contains("INTEGRITY_UNREADABLE") && codes.contains("INTEGRITY_CHECKSUM"), codes.toString());
    }

    @Test
    void badTargetsAreOneLineErrors() throws Exception {
        CliRunner r = CliRunner.run("validate", image("tcp").toString(), "--target", dir.resolve("nope.json").toString());
        assertEquals(2, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("at dev."), r.err());
        Path garbage = dir.resolve("garbage.json");
        Files.writeString(garbage, "{\"schema\": 1, \"pidMax\": \"many\"");
        r = CliRunner.run("validate", image("tcp").toString(), "--target", garbage.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("not a host profile"), r.err());
        r = CliRunner.run("validate", image("tcp").toString(), "--here", "--target", garbage.toString());
        assertEquals(2, r.exit(), "--here and --target exclude each other");
    }

    @Test
    void hostProfileWritesTheDocumentedSchema() throws Exception {
        Path out = dir.resolve("host.json");
        CliRunner r = CliRunner.run("host-profile", "-o", out.toString(), "--for", image("tcp").toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(Files.readString(out));
        assertEquals(1, j.get("schema").asInt());
        for (String field : List.of("kernel", "arch", "pageSize", "cpu", "xsave", "vdsoSize", "pidMax", "pidsInUse", "memAvailable",
                "mounts", "cgroupVersion", "capEff", "users", "groups", "listeningPorts", "files")) {
            assertTrue(j.has(field), field + " in " + j);
        }
        Set<String> paths = new TreeSet<>();
        for (JsonNode f : j.get("files")) paths.add(f.get("path").asText());
        assertTrue(paths.contains("/tmp/ckpt-work/bin/tcplisten") && paths.contains("/usr/lib/x86_64-linux-gnu/libc.so.6"), paths.toString());
        for (JsonNode f : j.get("files")) {
            if (f.get("path").asText().endsWith("libc.so.6") && f.get("exists").asBoolean()) {
                assertEquals(40, f.get("buildId").asText().length(), f.toString());
            }
        }
    }
}
