package dev.ckptkit.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real workloads of ../shared/testdata/workloads, built with gcc into a temporary directory and started the way
 * CRIU needs them (launch.sh: inherited fds closed, own session, stdio /dev/null), never as a child of this JVM:
 * a short-lived bash starts them in the background and exits, so they are re-parented away from us.
 */
final class Workloads {
    private final Path shared;
    private final Path bin;

    Workloads(Path tmp) throws IOException {
        this.shared = Path.of(System.getProperty("ckpt.root", "../.."), "..", "shared", "testdata", "workloads").normalize();
        this.bin = Files.createDirectories(tmp.resolve("bin"));
    }

    /** Why the live tests cannot run here, or null. */
    static String whyNot() {
        try {
            String status = Files.readString(Path.of("/proc/self/status"));
            if (!status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElse("").split("\\s+")[1].equals("0")) {
                return "needs root (criu dump/restore)";
            }
        } catch (IOException e) {
            return "cannot read /proc/self/status";
        }
        Path criu = dev.ckptkit.backend.criu.Criu.find();
        if (criu == null) return "no criu (set CKPT_CRIU or run: source build/env.sh && ckpt_setup_criu)";
        try {
            String why = dev.ckptkit.backend.criu.Criu.locate().whyNotUsable();
            if (why != null) return why;
        } catch (IOException e) {
            return e.getMessage();
        }
        try {
            if (run(List.of("gcc", "--version"), null) != 0) return "no gcc to build the workloads";
        } catch (IOException e) {
            return "no gcc to build the workloads";
        }
        return null;
    }

    Path compile(String name) throws IOException {
        Path out = bin.resolve(name);
        if (run(List.of("gcc", "-O1", "-o", out.toString(), shared.resolve(name + ".c").toString()), null) != 0) {
            throw new IOException("gcc failed for " + name);
        }
        return out;
    }

    Path script(String name) throws IOException {
        Path out = bin.resolve(name);
        Files.copy(shared.resolve(name), out, StandardCopyOption.REPLACE_EXISTING);
        out.toFile().setExecutable(true);
        return out;
    }

    /** Starts {@code cmd} detached in {@code cwd} through launch.sh; returns its pid. */
    int launch(Path cwd, String... cmd) throws IOException {
        // a simple command sent to the background is forked and exec'd directly, so $! is the workload's pid
        StringBuilder line = new StringBuilder("'").append(shared.resolve("launch.sh")).append("'");
        for (String c : cmd) line.append(" '").append(c).append("'");
        line.append(" & echo $!");
        Path out = Files.createTempFile(bin, "pid", ".txt");
        if (run(List.of("bash", "-c", line.toString()), out, cwd) != 0) throw new IOException("launch failed: " + line);
        return Integer.parseInt(Files.readString(out).strip());
    }

    static int run(List<String> cmd, Path stdout) throws IOException {
        return run(cmd, stdout, null);
    }

    static int run(List<String> cmd, Path stdout, Path cwd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        if (cwd != null) pb.directory(cwd.toFile());
        pb.redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile()));
        Process p = pb.start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timeout: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return p.exitValue();
    }

    static boolean alive(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until {@code pid} is gone (killed by criu dump, then reaped by its new parent). */
    static void awaitGone(int pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(Path.of("/proc/" + pid)) && System.nanoTime() < deadline) Thread.sleep(50);
    }

    static void kill(int pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** key=value lines of memfile's info file. */
    static Map<String, String> info(Path file) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(file) && System.nanoTime() < deadline) Thread.sleep(50);
        Thread.sleep(100);
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> l.contains("="))
                .collect(java.util.stream.Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
    }

    /** Reads process memory through /proc/PID/mem (root). */
    static byte[] mem(int pid, long addr, int len) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(Path.of("/proc/" + pid + "/mem"))) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(len);
            ch.read(b, addr);
            return b.array();
        }
    }

    static long counter(int pid, long addr) throws IOException {
        return java.nio.ByteBuffer.wrap(mem(pid, addr, 8)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** rchar or wchar of /proc/PID/io: bytes the process has read or written so far. */
    static long io(int pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/io")).stream().filter(l -> l.startsWith(field + ":"))
                .mapToLong(l -> Long.parseLong(l.substring(field.length() + 1).strip())).findFirst().orElse(-1);
    }
}
