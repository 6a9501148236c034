package dev.ckptkit.cli;

import dev.ckptkit.analyzer.ParentChain;
import dev.ckptkit.analyzer.RestorePlan;
import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.ImageOpener;
import dev.ckptkit.backend.RestoreOptions;
import dev.ckptkit.backend.RestoreResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "restore", description = {
        "Restart a checkpoint as live processes (detached), or print its restore plan.",
        "  ckpt restore x.ckpt              export to a temporary CRIU dir, run 'criu restore -d', print the new root pid",
        "  ckpt restore next.ckpt --parent base.ckpt    an incremental image with its parent chain (one --parent per level)",
        "  ckpt restore --dry-run x.ckpt    processes, files it needs, sockets, mounts, parent chain; touches nothing"})
final class RestoreCommand extends CkptCommand {
    @Parameters(paramLabel = "IMAGE", description = "A .ckpt file (or anything a backend converts).")
    Path image;

    @Option(names = "--dry-run", description = "Print the restore plan and check this host, without restoring.")
    boolean dryRun;

    @Option(names = "--backend", defaultValue = "criu", paramLabel = "NAME", description = "Backend that restores (default: criu).")
    String backend;

    @Option(names = "--shell-job", description = "Restore into this session and terminal.")
    boolean shellJob;

    @Option(names = "--tcp-established", description = "Restore established TCP connections.")
    boolean tcpEstablished;

    @Option(names = "--external", paramLabel = "RES", description = "A resource outside the image, in criu's --external syntax (repeatable).")
    List<String> external = new ArrayList<>();

    @Option(names = "--keep", description = "Keep the exported image directory and the restore log.")
    boolean keep;

    @Option(names = "--parent", paramLabel = "IMAGE", description = "A parent image of an incremental image (repeatable, any order; "
            + "matched by UUID; default: the path hints in the manifests).")
    List<Path> parents = new ArrayList<>();

    @Mixin
    JsonOption json;

    @Override
    protected int run() throws Exception {
        try (ImageOpener.Opened o = openImage(image); ParentImages p = new ParentImages(this)) {
            ParentChain chain = p.resolve(o.reader(), image, parents);
            if (dryRun) {
                RestorePlan plan = RestorePlan.of(o.reader(), chain);
                out().print(json.enabled() ? json.render(plan) + "\n" : plan.text());
                return plan.problems().isEmpty() ? ExitCodes.OK : ExitCodes.NEGATIVE;
            }
            if (!chain.complete()) throw new CkptException(chain.problem());
            Backend b = backends().named(backend);
            if (!b.canRestore()) throw new CkptException("backend '" + backend + "' cannot restore");
            RestoreResult r = b.restore(o.reader(), new RestoreOptions(shellJob, tcpEstablished, external, keep, chain.readers()));
            if (json.enabled()) {
                out().println(json.render(r));
            } else {
                out().println(r.rootPid());
                if (r.imageDir() != null) err().println("ckpt: kept " + r.imageDir() + " and " + r.log());
            }
        }
        return ExitCodes.OK;
    }
}
