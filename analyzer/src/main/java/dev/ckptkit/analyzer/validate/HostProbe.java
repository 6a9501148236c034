package dev.ckptkit.analyzer.validate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Records the facts of this host that a restore depends on, from /proc, /sys and /etc under {@code root} (normally
 * "/"; tests point it at a fake tree), and {@code criu check} when a CRIU binary is given. What cannot be read is
 * left null rather than guessed.
 */
public final class HostProbe {
    private final Path root;
    private final Path criu;

    /** @param criu the criu binary to run {@code criu check} with, or null to skip it */
    public HostProbe(Path root, Path criu) {
        this.root = root;
        this.criu = criu;
    }

    public HostProfile probe() {
        List<String> flags = cpuField("flags") == null ? List.of() : Arrays.asList(cpuField("flags").trim().split("\\s+"));
        long xmask = XsaveFeatures.fromFlags(flags);
        return new HostProfile(HostProfile.SCHEMA,
                line("proc/sys/kernel/hostname"),
                new HostProfile.Kernel(line("proc/sys/kernel/osrelease"), line("proc/sys/kernel/version"), criuCheck()),
                arch(),
                pageSize(),
                new HostProfile.Cpu(cpuField("vendor_id"), cpuField("model name"), flags.isEmpty() ? null : flags),
                flags.isEmpty() ? null : new HostProfile.Xsave(xmask, XsaveFeatures.size(xmask), "cpuinfo-flags"),
                vdsoSize(),
                parseInt(line("proc/sys/kernel/pid_max")),
                pidsInUse(),
                memAvailable(),
                mounts(),
                cgroupVersion(),
                capEff(),
                lsm(),
                idFile("etc/passwd"),
                idFile("etc/group"),
                ListeningPorts.read(root.resolve("proc/net")),
                null,
                lsmType(),
                apparmorProfiles());
    }

    /**
     * The LSM as CRIU's kerndat_lsm sees it (criu/lsm.c): AppArmor when securityfs shows
     * /sys/kernel/security/apparmor, else SELinux when /sys/fs/selinux exists, else none. Compared with the
     * image's inventory lsmtype on restore.
     */
    private String lsmType() {
        if (Files.exists(root.resolve("sys/kernel/security/apparmor"))) return "apparmor";
        if (Files.exists(root.resolve("sys/fs/selinux"))) return "selinux";
        return "none";
    }

    /** Names of the AppArmor profiles loaded (lines "name (mode)" of securityfs' profiles file); null if unreadable. */
    private List<String> apparmorProfiles() {
        Path p = root.resolve("sys/kernel/security/apparmor/profiles");
        if (!Files.isReadable(p)) return null;
        List<String> out = new ArrayList<>();
        for (String l : lines("sys/kernel/security/apparmor/profiles")) {
            int sp = l.lastIndexOf(" (");
            out.add(sp > 0 ? l.substring(0, sp) : l.trim());
        }
        return out;
    }

    /** The files {@code needs} names, as they are on this host: existence, type, size, mtime and ELF build-id. */
    public List<HostProfile.NeededFile> files(List<String> paths) {
        List<HostProfile.NeededFile> out = new ArrayList<>();
        for (String p : paths) {
            Path f = root.resolve(p.substring(1));
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                String type = a.isDirectory() ? "dir" : a.isRegularFile() ? "reg" : "other";
                String buildId = null;
                if (a.isRegularFile()) {
                    try {
                        buildId = ElfBuildId.of(f);
                    } catch (IOException unreadable) {
                        // exists but cannot be read: size and mtime still say something
                    }
                }
                out.add(new HostProfile.NeededFile(p, true, type, a.isRegularFile() ? a.size() : null,
                        a.lastModifiedTime().toMillis(), buildId, a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)));
            } catch (IOException e) {
                out.add(new HostProfile.NeededFile(p, false, null, null, null, null));
            }
        }
        return out;
    }

    private String line(String rel) {
        try {
            List<String> l = Files.readAllLines(root.resolve(rel), StandardCharsets.UTF_8);
            return l.isEmpty() ? null : l.get(0).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private List<String> lines(String rel) {
        try {
            return Files.readAllLines(root.resolve(rel), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private String cpuField(String name) {
        for (String l : lines("proc/cpuinfo")) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).trim().equals(name)) return l.substring(colon + 1).trim();
        }
        return null;
    }

    private String arch() {
        String a = line("proc/sys/kernel/arch");
        if (a != null) return a;
        return switch (System.getProperty("os.arch")) {
            case "amd64" -> "x86_64";
            case "arm64" -> "aarch64";
            default -> System.getProperty("os.arch");
        };
    }

    private Integer pageSize() {
        for (String l : lines("proc/self/smaps")) {
            if (l.startsWith("KernelPageSize:")) return Integer.parseInt(l.replaceAll("\\D", "")) * 1024;
        }
        return null;
    }

    private Long vdsoSize() {
        for (String l : lines("proc/self/maps")) {
            if (!l.endsWith("[vdso]")) continue;
            String[] range = l.substring(0, l.indexOf(' ')).split("-");
            return Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
        }
        return null;
    }

    /** Pids and tids in use: a restore without a pid namespace needs every pid and tid of the image free. */
    private List<Integer> pidsInUse() {
        TreeSet<Integer> pids = new TreeSet<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(root.resolve("proc"))) {
            for (Path p : d) {
                Integer pid = parseInt(p.getFileName().toString());
                if (pid == null) continue;
                pids.add(pid);
                try (DirectoryStream<Path> t = Files.newDirectoryStream(p.resolve("task"))) {
                    for (Path tid : t) {
                        Integer n = parseInt(tid.getFileName().toString());
                        if (n != null) pids.add(n);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process exited while we looked
                }
            }
        } catch (IOException e) {
            return null;
        }
        return List.copyOf(pids);
    }

    private Long memAvailable() {
        for (String l : lines("proc/meminfo")) {
            if (l.startsWith("MemAvailable:")) return Long.parseLong(l.replaceAll("\\D", "")) * 1024;
        }
        return null;
    }

    /** From mountinfo: "id parent maj:min root mountpoint opts [optional...] - fstype source superopts". */
    private List<HostProfile.Mount> mounts() {
        List<HostProfile.Mount> out = new ArrayList<>();
        for (String l : lines("proc/self/mountinfo")) {
            String[] f = l.split(" ");
            int dash = Arrays.asList(f).indexOf("-");
            if (f.length < 5 || dash < 0 || dash + 2 >= f.length) continue;
            out.add(new HostProfile.Mount(unescape(f[4]), f[dash + 1], unescape(f[dash + 2])));
        }
        return out.isEmpty() ? null : out;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() + 0 && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private String cgroupVersion() {
        Path cg = root.resolve("sys/fs/cgroup");
        if (Files.exists(cg.resolve("cgroup.controllers"))) return "2";
        if (Files.isDirectory(cg, LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.list(cg)) {
                return s.findAny().isPresent() ? "1" : null;
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }

    private Long capEff() {
        for (String l : lines("proc/self/status")) {
            if (l.startsWith("CapEff:")) return Long.parseUnsignedLong(l.substring(7).trim(), 16);
        }
        return null;
    }

    private List<String> lsm() {
        String l = line("sys/kernel/security/lsm");
        return l == null || l.isEmpty() ? null : List.of(l.split(","));
    }

    /** name -> id from /etc/passwd or /etc/group (third field). */
    private Map<String, Long> idFile(String rel) {
        Map<String, Long> m = new TreeMap<>();
        for (String l : lines(rel)) {
            String[] f = l.split(":");
            if (f.length >= 3 && !l.startsWith("#")) {
                try {
                    m.put(f[0], Long.parseLong(f[2]));
                } catch (NumberFormatException skip) {
                    // NIS "+" lines and the like
                }
            }
        }
        return m.isEmpty() ? null : m;
    }

    private HostProfile.CriuCheck criuCheck() {
        if (criu == null || !Files.isExecutable(criu)) return null;
        Run version = run(criu.toString(), "--version");
        Run basic = run(criu.toString(), "check");
        Run all = run(criu.toString(), "check", "--all");
        List<String> msgs = new ArrayList<>();
        for (String l : (basic.out + all.out).lines().toList()) {
            if ((l.startsWith("Warn") || l.startsWith("Error")) && !msgs.contains(l.trim())) msgs.add(l.trim());
        }
        String v = version.out.lines().filter(l -> l.startsWith("Version:")).findFirst().map(l -> l.substring(8).trim()).orElse(null);
        return new HostProfile.CriuCheck(criu.toString(), v, basic.rc == 0 && basic.out.contains("Looks good"),
                all.rc == 0 && all.out.contains("Looks good.") && !all.out.contains("missing"), msgs);
    }

    private record Run(int rc, String out) {}

    private static Run run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Run(-1, "timed out");
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Run(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Run(-1, "interrupted");
        }
    }

    static Integer parseInt(String s) {
        if (s == null || s.isEmpty() || s.length() > 10) return null;
        for (int i = 0; i < s.length(); i++) if (!Character.isDigit(s.charAt(i))) return null;
        long v = Long.parseLong(s);
        return v > Integer.MAX_VALUE ? null : (int) v;
    }
}
