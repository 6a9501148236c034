package dev.ckptkit.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One step of the demo: {@code $ ckpt ARGS} echoed, run as the CLI runs it, its output printed and kept. */
record DemoStep(int exitCode, String out) {
    static DemoStep run(PrintWriter out, PrintWriter err, String... args) {
        out.println();
        out.println("$ ckpt " + String.join(" ", args));
        out.flush();
        StringWriter captured = new StringWriter();
        PrintWriter capture = new PrintWriter(captured, true);
        int rc = Main.commandLine(capture, err, args).execute(args);
        capture.flush();
        out.print(captured);
        out.flush();
        return new DemoStep(rc, captured.toString());
    }
}
