package dev.ckptkit.backend.userspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Builds the C test workloads (src/test/c) with gcc and runs them under libckpt.so, with deadlines everywhere. */
final class Workloads {
    private Workloads() {}

    static Path root() {
        return Path.of(System.getProperty("ckpt.root", "../.."));
    }

    /** The criu to run: $CKPT_CRIU, else the private install under .tools; the test is skipped when there is none. */
    static Path criu() {
        String env = System.getenv("CKPT_CRIU");
        if (env != null && Files.isExecutable(Path.of(env))) return Path.of(env);
        Path p = root().resolve(".tools/criu/bin/criu");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(p), "CRIU is not installed (.tools/criu/bin/criu or CKPT_CRIU)");
        return p;
    }

    static Path compile(String name, String... extra) throws IOException, InterruptedException {
        return compile(Path.of("src/test/c", name + ".c").toAbsolutePath(), name, extra);
    }

    /** The example programs in src/main/c/examples, built against ckpt.h as a user would. */
    static Path compileExample(String name) throws IOException, InterruptedException {
        return compile(Path.of("src/main/c/examples", name + ".c").toAbsolutePath(), name);
    }

    private static Path compile(Path src, String name, String... extra) throws IOException, InterruptedException {
        Path out = Path.of("target/test-native").toAbsolutePath();
        Files.createDirectories(out);
        Path exe = out.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-pthread", "-I", Path.of("src/main/c").toAbsolutePath().toString(),
                "-o", exe.toString(), src.toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("gcc failed for " + name + ":\n" + log);
        return exe;
    }

    /** Starts {@code exe args} with libckpt.so preloaded; output goes to {@code dir/out.txt}. */
    static Process launch(NativeTools tools, Path dir, Path exe, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("LD_PRELOAD", tools.library().toString());
        return pb.start();
    }

    /** Status line of the counter workload: n, pattern ok, threads' sum, getpid(), getppid(). */
    record Status(long n, boolean patternOk, long threadSum, int pid, int ppid) {
        static Status read(Path dir) throws IOException {
            Path f = dir.resolve("status");
            if (!Files.exists(f)) return null;
            String[] p = Files.readString(f).trim().split(" ");
            if (p.length < 5) return null;
            return new Status(Long.parseLong(p[0]), p[1].equals("1"), Long.parseLong(p[2]), Integer.parseInt(p[3]), Integer.parseInt(p[4]));
        }
    }

    static Status await(Path dir, Duration timeout, Predicate<Status> until) throws IOException, InterruptedException {
        return await(timeout, () -> Status.read(dir), until, "workload in " + dir);
    }

    /** The first {@code n} numbers of a workload's status line; null while the file is missing or shorter. */
    static long[] fields(Path f, int n) throws IOException {
        if (!Files.exists(f)) return null;
        String[] p = Files.readString(f).trim().split(" ");
        if (p.length < n) return null;
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = Long.parseLong(p[i]);
        return v;
    }

    /** A reading that is null or does not satisfy {@code until} yet is polled again, up to the deadline. */
    interface Reading<S> {
        S read() throws IOException;
    }

    static <S> S await(Duration timeout, Reading<S> reading, Predicate<S> until, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        S s = null;
        while (System.nanoTime() < deadline) {
            s = reading.read();
            if (s != null && until.test(s)) return s;
            Thread.sleep(20);
        }
        throw new AssertionError(what + " did not reach the expected state within " + timeout + "; last status " + s);
    }

    static void awaitSocket(long pid, Duration timeout) throws InterruptedException {
        if (!Checkpointer.awaitSocket((int) pid, timeout)) throw new AssertionError("no checkpoint socket for pid " + pid);
    }

    static boolean awaitExit(ProcessHandle p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (p.isAlive()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(10);
        }
        return true;
    }

    /** SIGKILL gives libckpt.so no chance to remove its socket: the test does. */
    static void kill(ProcessHandle p) {
        if (p == null) return;
        if (p.isAlive()) p.destroyForcibly();
        try {
            Files.deleteIfExists(Checkpointer.socketOf((int) p.pid()));
        } catch (IOException e) {
            // a leftover socket in /tmp is harmless
        }
    }
}
