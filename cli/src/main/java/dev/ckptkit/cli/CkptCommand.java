package dev.ckptkit.cli;

import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.ImageOpener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of every subcommand; {@code @Command} here only so picocli's annotation processor accepts {@code @Spec}. */
@picocli.CommandLine.Command(mixinStandardHelpOptions = true)
/* output writers from picocli (so tests capture them), and image opening */
public abstract class CkptCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    protected PrintWriter out() { return spec.commandLine().getOut(); }

    protected PrintWriter err() { return spec.commandLine().getErr(); }

    protected Backends backends() { return Backends.load(); }

    /** Opens a .ckpt, or converts any input a backend recognises on the fly. */
    protected ImageOpener.Opened openImage(Path p) throws IOException {
        return new ImageOpener(backends()).open(p);
    }

    @Override
    public final Integer call() throws Exception {
        int rc = run();
        out().flush();
        return rc;
    }

    protected abstract int run() throws Exception;
}
