package dev.ckptkit.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the CLI in-process and captures what it prints. */
public record CliRunner(int exit, String out, String err) {
    public static CliRunner run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int rc = Main.run(new PrintWriter(o), new PrintWriter(e), args);
        return new CliRunner(rc, o.toString(), e.toString());
    }

    /** Runs the CLI and fails the test unless it exits 0. */
    public static CliRunner ok(String... args) {
        CliRunner r = run(args);
        org.junit.jupiter.api.Assertions.assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.out() + r.err());
        return r;
    }

    public static Path root() {
        return Path.of(System.getProperty("ckpt.root", ".."));
    }

    public static Path golden(String name) {
        return root().resolve("format-spec/golden").resolve(name);
    }
}
