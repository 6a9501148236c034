package dev.ckptkit.backend.criu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The criu binary: where it is and how to run it. Looked up in $CKPT_CRIU, the system property ckpt.criu, the
 * project's private install (.tools/criu/bin/criu under ckpt.root, the checkout the running jar is in, or the
 * working directory), then PATH.
 */
public final class Criu {
    static final String HOW_TO_GET = "set CKPT_CRIU to a criu 4.x binary, or install a private CRIU with "
            + "'source build/env.sh && ckpt_setup_criu' (runs ../shared/tools/criu-setup.sh into .tools/criu)";
    private static final long TIMEOUT_MINUTES = 30;

    private final Path binary;

    private Criu(Path binary) {
        this.binary = binary;
    }

    public Path binary() { return binary; }

    /** The criu to use, or an exception whose message says how to get one. */
    public static Criu locate() throws IOException {
        String env = System.getenv("CKPT_CRIU");
        if (env != null && !env.isBlank() && !Files.isExecutable(Path.of(env))) {
            throw new IOException("CKPT_CRIU=" + env + " is not an executable file; unset it or " + HOW_TO_GET);
        }
        return locate(candidates());
    }

    static Criu locate(List<String> candidates) throws IOException {
        Path p = first(candidates);
        if (p == null) throw new IOException("criu not found: " + HOW_TO_GET);
        return new Criu(p);
    }

    /** The criu binary, or null if there is none. */
    public static Path find() {
        return first(candidates());
    }

    private static List<String> candidates() {
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("CKPT_CRIU");
        if (env != null && !env.isBlank()) candidates.add(env);
        String prop = System.getProperty("ckpt.criu");
        if (prop != null && !prop.isBlank()) candidates.add(prop);
        String root = System.getProperty("ckpt.root");
        if (root != null) candidates.add(Path.of(root, ".tools/criu/bin/criu").toString());
        String jarRoot = jarRoot();
        if (jarRoot != null) candidates.add(Path.of(jarRoot, ".tools/criu/bin/criu").toString());
        candidates.add(".tools/criu/bin/criu");
        String path = System.getenv("PATH");
        if (path != null) for (String d : path.split(":")) if (!d.isEmpty()) candidates.add(Path.of(d, "criu").toString());
        return candidates;
    }

    /** ROOT of a jar at ROOT/cli/lib/ckpt.jar (the launcher's layout), so that ckpt finds the private criu from anywhere. */
    private static String jarRoot() {
        try {
            Path jar = Path.of(Criu.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path lib = jar.getParent();
            return lib != null && lib.getParent() != null && lib.getParent().getParent() != null
                    ? lib.getParent().getParent().toString() : null;
        } catch (Exception e) {
            return null;  // no code source (a custom class loader): the other candidates remain
        }
    }

    private static Path first(List<String> candidates) {
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p.toAbsolutePath();
        }
        return null;
    }

    /** "4.2.1" from {@code criu --version}, or null. */
    public String version() {
        try {
            Result r = run(List.of("--version"), null, null);
            for (String line : r.output().split("\n")) {
                if (line.startsWith("Version:")) return line.substring("Version:".length()).strip();
            }
        } catch (IOException e) {
            // the version is informational only
        }
        return null;
    }

    /** Why criu cannot work here (not root, kernel lacks features), or null when {@code criu check} passes. */
    public String whyNotUsable() {
        try {
            Result r = run(List.of("check"), null, null);
            if (r.exit() == 0) return null;
            String[] lines = r.output().strip().split("\n");
            return "'criu check' failed (exit " + r.exit() + "): " + lines[lines.length - 1];
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    record Result(int exit, String output) {}

    /**
     * Runs criu with {@code args}; stdout and stderr go to {@code output} (or are returned), and {@code watch}
     * gets called about every 200 ms while it runs (progress).
     */
    Result run(List<String> args, Path output, Runnable watch) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Path out = output != null ? output : Files.createTempFile("ckpt-criu-", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(TIMEOUT_MINUTES);
            while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
                if (watch != null) watch.run();
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IOException("criu " + String.join(" ", args) + ": no result after " + TIMEOUT_MINUTES + " minutes, killed");
                }
            }
            return new Result(p.exitValue(), output != null ? "" : Files.readString(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while criu ran", e);
        } finally {
            if (output == null) Files.deleteIfExists(out);
        }
    }

    /** The last line of a criu log that says what went wrong (an "Error (...)" other than the final "FAILED"). */
    static String errorSummary(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            String last = null;
            for (String l : lines) if (l.contains("Error (") && !l.contains("FAILED")) last = l.strip();
            if (last == null && !lines.isEmpty()) last = lines.getLast().strip();
            return last == null ? "(empty log)" : last;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
