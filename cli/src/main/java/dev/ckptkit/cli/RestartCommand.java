package dev.ckptkit.cli;

import dev.ckptkit.backend.userspace.NativeTools;
import dev.ckptkit.backend.userspace.Restarter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "restart", description = {
        "Restart the processes of a .ckpt with ckpt's own loader (no CRIU, no root needed for own processes): the tree",
        "comes back with its shape, its pipes and the bytes they held.",
        "Its stdin/stdout/stderr become this terminal; files are reopened at their positions.",
        "  ckpt restart app.ckpt",
        "  ckpt restart app.ckpt --map-path /old/data=/new/data --hook 'echo back as $CKPT_PID'"})
final class RestartCommand extends CkptCommand {
    @Parameters(paramLabel = "IMAGE", description = "The .ckpt (userspace images, or others with x86_64 registers).")
    Path image;

    @Option(names = "--pid", description = "Restart only this process of the image (default: all, as a tree).")
    Integer pid;

    @Option(names = "--map-path", paramLabel = "OLD=NEW", description = "Files under OLD are now under NEW (repeatable).")
    Map<String, String> pathMap = new LinkedHashMap<>();

    @Option(names = "--hook", paramLabel = "CMD", description = "Shell command run once the process is back (repeatable; env CKPT_PID, CKPT_ORIGINAL_PID, CKPT_IMAGE).")
    List<String> hooks = new ArrayList<>();

    @Option(names = "--no-image-hooks", description = "Do not run the hooks stored in the image.")
    boolean noImageHooks;

    @Option(names = "--detach", description = "Print the new pid and return once the process runs, instead of waiting for it.")
    boolean detach;

    @Override
    protected int run() throws Exception {
        if (!Files.exists(image)) throw new java.nio.file.NoSuchFileException(image.toString());
        var r = new Restarter(NativeTools.extract()).restart(new Restarter.Request(image, pid, pathMap, hooks, !noImageHooks,
                Duration.ofSeconds(120)));
        for (String w : r.summary().warnings()) err().println("ckpt: warning: " + w);
        for (var h : r.hooks()) if (h.exitCode() != 0) err().println("ckpt: warning: hook '" + h.command() + "' exited with " + h.exitCode());
        err().printf("ckpt: restarted pid %d as pid %d (%d threads, %d pages)%n", r.originalPid(), r.pid(),
                r.summary().threads(), r.summary().pages());
        r.pids().forEach((was, now) -> { if (was != r.originalPid()) err().printf("ckpt: restarted pid %d as pid %d%n", was, now); });
        err().flush();
        if (detach) {
            out().println(r.pid());
            return ExitCodes.OK;
        }
        return r.process().waitFor();
    }
}
