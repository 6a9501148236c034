package dev.ckptkit.cli;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.CaptureOptions;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.WriterOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "capture", description = {
        "Checkpoint a live process tree into a CKPT file (needs root and a working checkpointer).",
        "  ckpt capture --backend criu PID -o x.ckpt      criu dump into a temporary dir, convert, clean up",
        "  ckpt capture PID --leave-running -o base.ckpt; ckpt capture PID --parent base.ckpt -o next.ckpt",
        "                                                 an incremental image: pages equal to base.ckpt's stay there"})
final class CaptureCommand extends CkptCommand {
    @Parameters(paramLabel = "PID", description = "Root of the process tree to checkpoint.")
    int pid;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The CKPT file to write.")
    Path output;

    @Option(names = "--backend", defaultValue = "criu", paramLabel = "NAME", description = "Backend that captures (default: criu).")
    String backend;

    @Option(names = "--leave-running", description = "Keep the processes running after the dump (default: they are killed).")
    boolean leaveRunning;

    @Option(names = "--shell-job", description = "The tree is a shell job (its session and terminal stay outside).")
    boolean shellJob;

    @Option(names = "--tcp-established", description = "Also dump established TCP connections.")
    boolean tcpEstablished;

    @Option(names = "--external", paramLabel = "RES", description = "A resource outside the dump, in criu's --external syntax (repeatable).")
    List<String> external = new ArrayList<>();

    @Option(names = "--parent", paramLabel = "IMAGE", description = "An earlier capture of the same tree (a .ckpt): write an incremental "
            + "image whose unchanged pages are in it (restore then needs it: ckpt restore --parent).")
    Path parent;

    @Mixin
    WriterMixin writer;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "User label for the manifest (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Override
    protected int run() throws Exception {
        Backend b = backends().named(backend);
        if (!b.canCapture()) throw new CkptException("backend '" + backend + "' cannot capture live processes");
        String now = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        WriterOptions opts = writer.apply(WriterOptions.defaults(WriterOptions.uuidFrom(pid + "@" + now)), true);
        long t0 = System.nanoTime();
        try (ProgressBar bar = new ProgressBar(err())) {
            b.capture(pid, new CaptureOptions(leaveRunning, shellJob, tcpEstablished, external, parent),
                    new ImportContext(output, opts, now, labels, bar));
        }
        double s = (System.nanoTime() - t0) / 1e9;
        try (CkptReader r = CkptReader.open(output)) {
            var tree = r.manifest().processTree();
            var ref = r.manifest().parent();
            String incremental = ref == null ? (parent == null ? "" : " (no page is the same as in " + parent + ": a full image)")
                    : String.format(" (%d in parent %s)", r.manifest().counts().absentPages(), parent);
            out().printf("%s: %s, pid %d, %d process(es), %d thread(s), %d pages%s, captured by %s in %.2f s%n", output,
                    Sizes.human(r.fileLength()), pid, tree.processes(), tree.threads(), r.pages().size(), incremental, b.name(), s);
        }
        return ExitCodes.OK;
    }
}
