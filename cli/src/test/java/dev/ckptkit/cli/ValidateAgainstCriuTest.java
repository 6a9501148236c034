package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ckptkit.analyzer.validate.HostProfile;
import dev.ckptkit.analyzer.validate.HostProfiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proof against reality: real workloads are dumped with the real CRIU on this machine, then for each go and no-go
 * situation built here (a file resized, moved, a pid or port occupied, a mount removed) {@code ckpt validate --here}
 * of the imported CKPT file is compared with a real {@code criu restore -D DIR -d} of the CRIU dir exported back from
 * that CKPT file ({@code ckpt convert --to criu}). Restored processes are always killed. Needs root, CRIU and
 * gcc; skipped otherwise. Prints the agreement table (README) and asserts zero false go and full agreement.
 */
class ValidateAgainstCriuTest {
    private static Path criu;
    private static Path work;
    private static final List<Row> ROWS = new ArrayList<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    record Row(String workload, String situation, String validate, Set<String> codes, boolean restored, String criuError) {
        boolean agree() {
            return validate.equals("GO") == restored;
        }
    }

    private static Workloads workloads;

    @BeforeAll
    static void setUp() throws Exception {
        String why = Workloads.whyNot();
        assumeTrue(why == null, why);
        criu = dev.ckptkit.backend.criu.Criu.find();
        work = Files.createTempDirectory("ckpt-validate-");
        workloads = new Workloads(work);
        for (String p : List.of("memfile", "pipepair", "tcplisten")) workloads.compile(p);
        workloads.script("tree.sh");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (work == null) return;
        System.out.println(table());
        run(10, "umount", work.resolve("mnt").toString());
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---------------------------------------------------------------- workloads

    /** memfile with its directory on a tmpfs mount (so that the mount can be taken away). */
    @Test
    void memfile() throws Exception {
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        assertEquals(0, run(10, "mount", "-t", "tmpfs", "ckptval", mnt.toString()).rc);
        Path data = mnt.resolve("data.txt");
        Files.writeString(data, "CKPT regular data file, opened O_RDONLY by memfile\n");
        Image img = dump("memfile", mnt, bin("memfile"), "1", mnt.toString());

        check(img, "go: nothing changed", () -> {}, () -> {});
        check(img, "data.txt one byte longer", () -> Files.writeString(data, "x", java.nio.file.StandardOpenOption.APPEND),
                () -> Files.writeString(data, "CKPT regular data file, opened O_RDONLY by memfile\n"));
        Path moved = work.resolve("data.moved");
        check(img, "data.txt moved away", () -> Files.move(data, moved), () -> Files.move(moved, data));
        // CRIU compares size and build-id only (its reg-files carry no mtime): a touched file restores
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(data);
        check(img, "data.txt touched (same content, new mtime)",
                () -> Files.setLastModifiedTime(data, java.nio.file.attribute.FileTime.fromMillis(mtime.toMillis() + 3_600_000)),
                () -> Files.setLastModifiedTime(data, mtime));
        occupyPid(img, img.pids.get(0));
        check(img, "mount point removed", () -> {
            Files.move(data, moved, StandardCopyOption.REPLACE_EXISTING);
            assertEquals(0, run(10, "umount", mnt.toString()).rc);
            Files.delete(mnt);
        }, () -> {
            Files.createDirectories(mnt);
            assertEquals(0, run(10, "mount", "-t", "tmpfs", "ckptval", mnt.toString()).rc);
            Files.move(moved, data);
        });
        check(img, "go again after undoing everything", () -> {}, () -> {});
        profileOnly(img);
    }

    @Test
    void tcp() throws Exception {
        Path dir = Files.createDirectories(work.resolve("tcp"));
        Image img = dump("tcp", dir, bin("tcplisten"), "47001");
        check(img, "go: nothing changed", () -> {}, () -> {});
        ServerSocket[] holder = new ServerSocket[1];
        check(img, "port 47001 taken", () -> {
            holder[0] = new ServerSocket();
            holder[0].bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 47001));
        }, () -> holder[0].close());
        occupyPid(img, img.pids.get(0));
        Path exe = work.resolve("bin/tcplisten"), moved = work.resolve("tcplisten.moved");
        check(img, "executable moved away", () -> Files.move(exe, moved), () -> Files.move(moved, exe));
        byte[] orig = Files.readAllBytes(exe);
        check(img, "executable rebuilt: same size, other build-id", () -> Files.write(exe, otherBuildId(orig)),
                () -> Files.write(exe, orig));
        check(img, "go again after undoing everything", () -> {}, () -> {});
    }

    @Test
    void tree() throws Exception {
        Path dir = Files.createDirectories(work.resolve("tree"));
        Image img = dump("tree", dir, bin("tree.sh"));
        assertEquals(3, img.pids.size(), "bash + writer + reader");
        check(img, "go: nothing changed", () -> {}, () -> {});
        Path script = work.resolve("bin/tree.sh");
        byte[] orig = Files.readAllBytes(script);
        check(img, "tree.sh (bash fd 255) edited", () -> Files.writeString(script, "# edited\n", java.nio.file.StandardOpenOption.APPEND),
                () -> Files.write(script, orig));
        occupyPid(img, img.pids.get(2));
        Path pp = work.resolve("bin/pipepair"), moved = work.resolve("pipepair.moved");
        check(img, "pipepair moved away", () -> Files.move(pp, moved), () -> Files.move(moved, pp));
        check(img, "go again after undoing everything", () -> {}, () -> {});
    }

    /**
     * Shell jobs: a bash loop on a pseudo-terminal whose master (script) stays outside the image, dumped with
     * --shell-job. As the session leader (the pty master is outside) and as a child of an outside shell (the session
     * is outside too). Restored without --shell-job, and with it from a terminal (criu restore run under script).
     */
    @Test
    void shellJob() throws Exception {
        Path dir = Files.createDirectories(work.resolve("shelljob"));
        Path sleep = work.resolve("bin/sleep");
        Files.copy(Path.of("/usr/bin/sleep"), sleep, StandardCopyOption.REPLACE_EXISTING);
        sleep.toFile().setExecutable(true);
        Path hold = work.resolve("bin/hold.sh");
        // the sleeps are a copy of /usr/bin/sleep under the work directory: killRestored finds them by their path
        Files.writeString(hold, "#!/bin/bash\nwhile :; do '" + sleep + "' 1; done\n");
        hold.toFile().setExecutable(true);
        Path shell = work.resolve("bin/shell.sh");   // a shell that runs hold.sh as its child (not exec'd)
        Files.writeString(shell, "#!/bin/bash\n'" + hold + "'\n:\n");
        shell.toFile().setExecutable(true);
        for (boolean leader : List.of(true, false)) {
            String name = leader ? "shelljob leader" : "shelljob child";
            // script(1) runs the command with $SHELL -c, or /bin/sh (dash, which forks) where SHELL is unset as in
            // CI: exec keeps the process shape the same under every shell
            String cmd = "exec '" + (leader ? hold : shell) + "'";
            int script = workloads.launch(dir, "script", "-qfc", cmd, "/dev/null");
            int pid = -1;
            for (int i = 0; i < 100 && pid < 0; i++) {
                Thread.sleep(100);
                pid = holdUnder(script, hold.toString());
            }
            assertTrue(pid > 0, "hold.sh under script " + script);
            int sid = Integer.parseInt(Files.readString(Path.of("/proc/" + pid + "/stat")).replaceFirst(".*\\) ", "").split(" ")[3]);
            assertEquals(leader, sid == pid, "hold.sh is the session leader only in the leader variant");
            Thread.sleep(500);
            Image img = dumpPid(name, dir, pid, "--shell-job");
            check(img, "restored without --shell-job", () -> {}, () -> {});
            check(img, "criu restore --shell-job from a terminal; validate --shell-job", () -> {}, () -> {}, true);
        }
    }

    /** The bash running hold.sh among the descendants of {@code script}, or -1. */
    private static int holdUnder(int script, String hold) {
        for (ProcessHandle h : ProcessHandle.of(script).map(p -> p.descendants().toList()).orElse(List.of())) {
            try {
                List<String> argv = List.of(Files.readString(Path.of("/proc/" + h.pid() + "/cmdline")).split("\0"));
                if (argv.size() == 2 && argv.get(1).equals(hold)) return (int) h.pid();
            } catch (IOException gone) {
                // exited meanwhile
            }
        }
        return -1;
    }

    /** memfile in a pids cgroup of its own: CRIU writes cgroup.img, which restore recreates. */
    @Test
    void cgroup() throws Exception {
        Path pids = Path.of("/sys/fs/cgroup/pids");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(pids.resolve("cgroup.procs")), "no writable cgroup v1 pids hierarchy");
        Path cg = pids.resolve("ckpt-validate-" + ProcessHandle.current().pid());
        Files.createDirectories(cg);
        try {
            Path dir = Files.createDirectories(work.resolve("cg"));
            Files.writeString(dir.resolve("data.txt"), "CKPT regular data file, opened O_RDONLY by memfile\n");
            int pid = workloads.launch(dir, bin("memfile"), "1", dir.toString());
            Files.writeString(cg.resolve("cgroup.procs"), Integer.toString(pid));
            Thread.sleep(1500);
            Image img = dumpPid("cgroup", dir, pid);
            try (var r = dev.ckptkit.io.CkptReader.open(img.ckpt())) {
                assertTrue(r.manifest().host().cgroupControllers().contains("pids"), "cgroup.img imported");
            }
            check(img, "go: in a pids cgroup of its own (cgroup.img)", () -> {}, () -> {});
            CliRunner p = CliRunner.run("host-profile", "--for", img.ckpt().toString());
            assertEquals(0, p.exit(), p.err());
            HostProfiles io = new HostProfiles();
            Path here = work.resolve("cg-here.json");
            Files.writeString(here, p.out());
            Path v2 = work.resolve("cg-v2.json");
            io.write(io.read(here).withCgroupVersion("2"), v2);
            CliRunner v = CliRunner.run("validate", img.ckpt().toString(), "--target", v2.toString(), "--json");
            Set<String> codes = errors(JSON.readTree(v.out()));
            ROWS.add(new Row(img.name(), "target profile with cgroup v2 only (profile only)", JSON.readTree(v.out()).get("verdict").asText(), codes, false, "n/a"));
            assertEquals(1, v.exit(), v.out());
            assertTrue(codes.contains("HOST_CGROUP_V1_ON_V2"), codes.toString());
        } finally {
            for (int i = 0; i < 50 && !deleted(cg); i++) Thread.sleep(100);
        }
    }

    private static boolean deleted(Path cg) {
        try {
            Files.deleteIfExists(cg);
            return true;
        } catch (IOException busy) {
            return false;   // a restored process still in it
        }
    }

    private static Set<String> errors(JsonNode rep) {
        Set<String> codes = new TreeSet<>();
        for (JsonNode f : rep.get("findings")) if (f.get("severity").asText().equals("ERROR")) codes.add(f.get("code").asText());
        return codes;
    }

    /** The images in testdata/ were taken on another machine: their binaries are not here. */
    @Test
    void imagesFromAnotherHost() throws Exception {
        for (String name : List.of("memfile", "tree", "tcp")) {
            Path dir = Files.createDirectories(work.resolve("shared"));
            InspectRealImagesTest.untar(CliRunner.root().resolve("testdata/criu/" + name + ".tar.gz"), dir);
            Image img = imported(name + " (testdata)", dir.resolve(name), null);
            check(img, "restore of another host's image", () -> {}, () -> {});
        }
    }

    // ---------------------------------------------------------------- situations

    interface Step { void run() throws Exception; }

    /** A dump: the CKPT file validate reads, and the CRIU dir exported back from it that criu restores. */
    record Image(String name, Path ckpt, Path dir, List<Integer> pids, Path cwd) {}

    /** Imports a CRIU dir into CKPT and exports it back with 'ckpt convert --to criu' (what restore will read). */
    private static Image imported(String name, Path criuDir, Path cwd) throws IOException {
        String file = name.replaceAll("[^a-z]+", "-");
        Path ckpt = work.resolve(file + ".ckpt"), back = work.resolve("export/" + file);
        CliRunner c = CliRunner.run("convert", criuDir.toString(), "-o", ckpt.toString());
        assertEquals(0, c.exit(), c.err());
        Files.createDirectories(back.getParent());
        CliRunner e = CliRunner.run("convert", ckpt.toString(), "--to", "criu", "-o", back.toString());
        assertEquals(0, e.exit(), e.err());
        return new Image(name, ckpt, back, pidsOf(criuDir), cwd);
    }

    /** The same ELF bytes with one byte of the GNU build-id note flipped: same size, different build. */
    static byte[] otherBuildId(byte[] elf) {
        byte[] b = elf.clone();
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 12; i + 4 <= b.length; i++) {
            if (b[i] == 'G' && b[i + 1] == 'N' && b[i + 2] == 'U' && b[i + 3] == 0
                    && bb.getInt(i - 12) == 4 && bb.getInt(i - 4) == 3 && bb.getInt(i - 8) > 0) {
                b[i + 4] ^= (byte) 0xff;
                return b;
            }
        }
        throw new AssertionError("no GNU build-id note");
    }

    private static String bin(String p) { return work.resolve("bin/" + p).toString(); }

    /** Starts the workload detached from the JVM (CRIU must not trace a JVM child), waits, dumps it. */
    private static Image dump(String name, Path cwd, String... cmd) throws Exception {
        int pid = workloads.launch(cwd, cmd);
        Thread.sleep(1500);
        return dumpPid(name, cwd, pid);
    }

    /** Dumps the tree of {@code pid} (with extra criu dump options), imports and exports it. */
    private static Image dumpPid(String name, Path cwd, int pid, String... options) throws Exception {
        Path dir = Files.createDirectories(work.resolve("img/" + name.replace(' ', '-')));
        List<String> cmd = new ArrayList<>(List.of(criu.toString(), "dump", "-t", String.valueOf(pid), "-D", dir.toString(),
                "-o", work.resolve(name.replace(' ', '-') + ".dump.log").toString()));
        cmd.addAll(List.of(options));
        Sh d = run(120, cmd.toArray(String[]::new));
        if (d.rc != 0) {
            run(10, "kill", "-9", String.valueOf(pid));
            throw new AssertionError("criu dump failed: " + Files.readString(work.resolve(name.replace(' ', '-') + ".dump.log")).lines().filter(l -> l.contains("Error")).toList());
        }
        Image img = imported(name, dir, cwd);
        waitGone(img.pids);
        return img;
    }

    private static List<Integer> pidsOf(Path imgDir) throws IOException {
        List<Integer> pids = new ArrayList<>();
        try (Stream<Path> s = Files.list(imgDir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.matches("core-\\d+\\.img"))
                    .map(n -> Integer.parseInt(n.substring(5, n.length() - 4))).sorted().forEach(pids::add);
        }
        return pids;
    }

    /** Validates, restores for real, records both answers, kills what was restored and undoes the situation. */
    private static void check(Image img, String situation, Step make, Step undo) throws Exception {
        check(img, situation, make, undo, false);
    }

    /**
     * {@code shellJob}: validate with --shell-job, and restore as a shell job from a terminal: criu restore
     * --shell-job run under script(1), whose pty is criu's stdin.
     */
    private static void check(Image img, String situation, Step make, Step undo, boolean shellJob) throws Exception {
        make.run();
        Row row;
        try {
            List<String> args = new ArrayList<>(List.of("validate", img.ckpt.toString(), "--here", "--json"));
            if (shellJob) args.add("--shell-job");
            CliRunner v = CliRunner.run(args.toArray(String[]::new));
            JsonNode rep = JSON.readTree(v.out());
            Set<String> codes = new TreeSet<>();
            for (JsonNode f : rep.get("findings")) if (!f.get("severity").asText().equals("INFO")) codes.add(f.get("code").asText());
            String verdict = rep.get("verdict").asText();
            assertEquals(switch (verdict) { case "GO" -> 0; case "NO_GO" -> 1; default -> 2; }, v.exit());
            Path log = work.resolve(img.name.replace(' ', '_') + ".restore.log");
            Sh r = shellJob
                    ? run(120, "script", "-qec", "exec '" + criu + "' restore -D '" + img.dir + "' -d --shell-job -o '" + log + "'", "/dev/null")
                    : run(120, criu.toString(), "restore", "-D", img.dir.toString(), "-d", "-o", log.toString());
            boolean restored = r.rc == 0;
            String err = restored ? null : firstError(log, r.out);
            row = new Row(img.name, situation, verdict, codes, restored, err);
            ROWS.add(row);
        } finally {
            killRestored(img);
            undo.run();
        }
        assertTrue(!(row.validate().equals("GO") && !row.restored()), "FALSE GO: " + row);
        assertTrue(row.agree(), "validate and criu restore disagree: " + row);
        String expected = expectedCode(row.criuError());
        if (expected != null) {
            assertTrue(Stream.of(expected.split("\\|")).anyMatch(row.codes()::contains),
                    "criu failed with '" + row.criuError() + "' but validate did not say " + expected + ": " + row);
        }
    }

    /**
     * The CRIU error that says why, from the restore log: the first "Error (...)" line (also those of restored
     * children, prefixed with their pid) except the RLIMIT_NOFILE one printed on every restore here and the final
     * summary lines.
     */
    private static String firstError(Path log, String fallback) throws IOException {
        return Files.readString(log).lines().map(String::trim)
                .filter(l -> l.matches("^(\\d+: )?Error \\(.*") && !l.contains("RLIMIT_NOFILE")
                        && !l.contains("Restoring FAILED") && !l.contains("exited, status"))
                .map(l -> l.replaceFirst("^(\\d+: )?Error \\([^)]*\\): ", "")).findFirst().orElse(fallback.trim());
    }

    /** The reason code validate must have given for a CRIU restore error (null: no mapping known). */
    static String expectedCode(String criuError) {
        if (criuError == null) return null;
        if (criuError.contains("has bad size")) return "HOST_FILE_SIZE";
        if (criuError.contains("has bad build-ID")) return "HOST_FILE_BUILD_ID";
        if (criuError.matches("Can't fork for \\d+: File exists")) return "HOST_PID_TAKEN";
        if (criuError.contains("Address already in use")) return "HOST_PORT_TAKEN";
        if (criuError.contains("No such file or directory")) return "HOST_FILE_MISSING|HOST_DIR_MISSING";
        if (criuError.contains("without correspond master peer")) return "LEAK_TTY_PEER_OUTSIDE";
        if (criuError.contains("No task found with sid") || criuError.contains("Don't have tty to inherit session"))
            return "LEAK_TTY_OUTSIDE|LEAK_TTY_PEER_OUTSIDE|LEAK_SESSION_OUTSIDE";
        return null;
    }

    /** Occupies {@code pid} with a sleep (via ns_last_pid), then checks the image against it. */
    private static void occupyPid(Image img, int pid) throws Exception {
        int[] sleeper = {-1};
        check(img, "pid " + pid + " taken", () -> {
            waitGone(List.of(pid));
            for (int attempt = 0; attempt < 50 && sleeper[0] != pid; attempt++) {
                if (sleeper[0] > 0) run(5, "kill", "-9", String.valueOf(sleeper[0]));
                Sh s = run(10, "bash", "-c", "echo " + (pid - 1) + " > /proc/sys/kernel/ns_last_pid; { sleep 600 >/dev/null 2>&1 & } ; echo $!");
                sleeper[0] = Integer.parseInt(s.out.trim());
            }
            assertEquals(pid, sleeper[0], "could not get pid " + pid);
        }, () -> {
            run(5, "kill", "-9", String.valueOf(sleeper[0]));
            waitGone(List.of(sleeper[0]));
        });
    }

    /** Profiles that describe another target: validate answers, no restore to compare with on this machine. */
    private static void profileOnly(Image img) throws Exception {
        CliRunner p = CliRunner.run("host-profile", "--for", img.ckpt.toString());
        assertEquals(0, p.exit(), p.err());
        HostProfiles io = new HostProfiles();
        Path here = work.resolve("here.json");
        Files.writeString(here, p.out());
        HostProfile h = io.read(here);
        List<String> flags = h.cpu().flags().stream().filter(f -> !f.startsWith("avx512")).toList();
        HostProfile noAvx512 = new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(),
                new HostProfile.Cpu(h.cpu().vendor(), h.cpu().model(), flags), null, h.vdsoSize(), h.pidMax(), h.pidsInUse(),
                h.memAvailable(), h.mounts(), h.cgroupVersion(), h.capEff(), h.lsm(), h.users(), h.groups(), h.listeningPorts(), h.files());
        Path t = work.resolve("no-avx512.json");
        io.write(noAvx512, t);
        CliRunner v = CliRunner.run("validate", img.ckpt.toString(), "--target", t.toString(), "--json");
        JsonNode rep = JSON.readTree(v.out());
        Set<String> codes = new TreeSet<>();
        for (JsonNode f : rep.get("findings")) if (f.get("severity").asText().equals("ERROR")) codes.add(f.get("code").asText());
        ROWS.add(new Row(img.name, "target profile without AVX-512 (profile only, no restore here)", rep.get("verdict").asText(), codes, false, "n/a"));
        assertEquals(1, v.exit(), v.out());
        assertTrue(codes.contains("HOST_XSAVE_MISSING"), codes.toString());
        HostProfile small = new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(), h.cpu(), h.xsave(),
                h.vdsoSize(), h.pidMax(), h.pidsInUse(), 1L << 20, h.mounts(), h.cgroupVersion(), h.capEff(), h.lsm(), h.users(),
                h.groups(), h.listeningPorts(), h.files());
        Path s = work.resolve("1mib.json");
        io.write(small, s);
        CliRunner m = CliRunner.run("validate", img.ckpt.toString(), "--target", s.toString(), "--json");
        Set<String> mc = new TreeSet<>();
        for (JsonNode f : JSON.readTree(m.out()).get("findings")) if (f.get("severity").asText().equals("ERROR")) mc.add(f.get("code").asText());
        ROWS.add(new Row(img.name, "target profile with 1 MiB available (profile only)", JSON.readTree(m.out()).get("verdict").asText(), mc, false, "n/a"));
        assertEquals(Set.of("HOST_MEMORY"), mc, "4 MiB heap pattern does not fit in 1 MiB");
        CliRunner same = CliRunner.run("validate", img.ckpt.toString(), "--target", here.toString(), "--json");
        assertEquals(0, same.exit(), same.out());
    }

    private static void killRestored(Image img) throws Exception {
        List<Integer> mine = new ArrayList<>();
        for (int pid : img.pids) {
            Path cmd = Path.of("/proc/" + pid + "/cmdline");
            String c;
            try {
                c = Files.readString(cmd, StandardCharsets.ISO_8859_1);
            } catch (IOException gone) {
                continue;
            }
            // only what we restored: its command line names our workloads' directory or the shared images' paths
            if (c.contains(work.toString()) || c.contains("/tmp/ckpt-work/")) {
                run(5, "kill", "-9", String.valueOf(pid));
                mine.add(pid);
            } else if (c.isEmpty()) {
                mine.add(pid); // a zombie (of a failed restore) still holds the pid until pid 1 reaps it
            }
        }
        waitGone(mine);
    }

    /** Waits until the pids are reaped (pid 1 here reaps with some delay; a zombie still holds its pid). */
    private static void waitGone(List<Integer> pids) throws InterruptedException {
        for (int pid : pids) Workloads.awaitGone(pid);
    }

    record Sh(int rc, String out) {}

    private static Sh run(int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        // the background jobs started by bash keep no pipe open: launch.sh sends their stdio to /dev/null
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Sh(-1, "timed out: " + String.join(" ", cmd));
        }
        return new Sh(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static String table() {
        int tg = 0, tn = 0, fg = 0, fn = 0;
        StringBuilder sb = new StringBuilder("| workload | situation | ckpt validate | reason codes | criu restore |\n|---|---|---|---|---|\n");
        for (Row r : ROWS) {
            boolean compared = !"n/a".equals(r.criuError());
            sb.append("| ").append(r.workload()).append(" | ").append(r.situation()).append(" | ").append(r.validate())
                    .append(" | ").append(String.join(", ", r.codes())).append(" | ")
                    .append(!compared ? "not run" : r.restored() ? "restored" : "failed: " + r.criuError().replace("|", "/"))
                    .append(" |\n");
            if (!compared) continue;
            boolean go = r.validate().equals("GO");
            if (go && r.restored()) tg++;
            else if (!go && !r.restored()) tn++;
            else if (go) fg++;
            else fn++;
        }
        sb.append("\nAgreement: true go ").append(tg).append(", true no-go ").append(tn).append(", false go ").append(fg)
                .append(", false no-go ").append(fn).append('\n');
        return sb.toString();
    }
}
