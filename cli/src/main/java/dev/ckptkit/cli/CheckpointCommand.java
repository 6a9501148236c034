package dev.ckptkit.cli;

import dev.ckptkit.backend.userspace.Checkpointer;
import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.WriterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "checkpoint", description = {
        "Checkpoint a process started with 'ckpt launch' and every process it started (userspace style: libckpt.so",
        "inside each process writes it; all are stopped before any is dumped, pipe contents are kept).",
        "  ckpt checkpoint 4242 -o app.ckpt",
        "  ckpt checkpoint 4242 -o app.ckpt --kill --hook 'kill -WINCH $CKPT_PID'"})
final class CheckpointCommand extends CkptCommand {
    @Parameters(paramLabel = "PID", description = "The process (as the kernel numbers it now).")
    int pid;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The .ckpt to write.")
    Path output;

    @Option(names = "--kill", description = "End the processes once the image is written.")
    boolean kill;

    @Option(names = "--hook", paramLabel = "CMD", description = "Shell command stored in the image, run after every restart (repeatable; env CKPT_PID, CKPT_ORIGINAL_PID).")
    List<String> hooks = new ArrayList<>();

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "User label for the manifest (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Mixin
    WriterMixin writer;

    @Override
    protected int run() throws Exception {
        CkptWriter.warmUpCodecs();  // this JVM was started for this checkpoint: its tables come after the pages
        WriterOptions opts = writer.apply(Checkpointer.defaultOptions(pid), false);
        var r = new Checkpointer().checkpoint(new Checkpointer.Request(pid, output, kill, hooks, labels,
                java.time.Instant.now().toString(), opts));
        String procs = r.pids().size() == 1 ? "pid " + r.pid() : "pid " + r.pid() + " and " + (r.pids().size() - 1) + " more processes "
                + r.pids().stream().filter(x -> x != r.pid()).map(String::valueOf).collect(java.util.stream.Collectors.joining(",", "(", ")"));
        out().printf("%s: %s, %s, %d threads, %d areas, %d pages (%s) in %.2f s (%.2f s streaming)%s%n", output,
                Sizes.human(Files.size(output)), procs, r.threads(), r.areas(), r.pages(), Sizes.human(r.pageBytes()),
                r.nanos() / 1e9, r.streamNanos() / 1e9, kill ? (r.pids().size() == 1 ? ", process ended" : ", processes ended") : "");
        for (int s : r.skipped()) err().println("ckpt: warning: process " + s + " below " + pid + " runs without libckpt.so; it is not in the image");
        return ExitCodes.OK;
    }
}
