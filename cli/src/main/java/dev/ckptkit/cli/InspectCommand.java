package dev.ckptkit.cli;

import dev.ckptkit.analyzer.ParentChain;
import dev.ckptkit.analyzer.inspect.Inspector;
import dev.ckptkit.backend.ImageOpener;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.SortedSet;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Base of the commands that look at one image: opens it (converting other formats on the fly) and selects pids. */
abstract class InspectCommand extends CkptCommand {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "A .ckpt file, or anything a backend converts (CRIU dir, container archive, ...).")
    Path image;

    @Mixin
    JsonOption json;

    @Mixin
    PidOption pidOption;

    @Override
    protected final int run() throws Exception {
        return inspectImage(this, image, pidOption, this::inspect);
    }

    interface Body {
        int inspect(Inspector in, SortedSet<Integer> pids) throws Exception;
    }

    /** Opens {@code path}, selects the pids of {@code pidOption} and runs {@code body}; shared with grep. */
    static int inspectImage(CkptCommand cmd, Path path, PidOption pidOption, Body body) throws Exception {
        try (ImageOpener.Opened opened = cmd.openImage(path)) {
            Inspector in = new Inspector(opened.reader());
            return body.inspect(in, in.select(pidOption.pids()));
        } catch (IllegalArgumentException e) {
            throw new CkptException(e.getMessage());  // bad pattern, range, length: a usage error, not a crash
        }
    }

    protected abstract int inspect(Inspector in, SortedSet<Integer> pids) throws Exception;

    /**
     * Says on stderr which of {@code pids} have pages whose content is in the parent image (an incremental image):
     * a memory command cannot see them and must not pass them off as zeros or as not dumped.
     */
    static void noteParentPages(CkptCommand cmd, CkptReader r, Set<Integer> pids, String consequence) throws IOException {
        if (ParentChain.absentPages(r) == 0) return;
        PageStore ps = r.pages();
        long total = 0;
        StringBuilder per = new StringBuilder();
        for (int pid : pids) {
            long[] rg = ps.range(pid);
            long n = 0;
            for (long i = rg[0]; i < rg[1]; i++) if (ps.pageAt(i) == CkptFormat.PAGE_ABSENT) n++;
            if (n == 0) continue;
            total += n;
            per.append(per.isEmpty() ? "" : ", ").append("pid ").append(pid).append(": ").append(n);
        }
        if (total == 0) return;
        Manifest.Parent ref = r.manifest().parent();
        String parent = ref == null || ref.uuid() == null ? "the parent image" : "parent image " + ref.uuid()
                + (ref.path() == null ? "" : " (" + ref.path() + ")");
        cmd.err().println("ckpt: note: " + total + " pages (" + per + ") are in " + parent + ", not in this file: " + consequence
                + "; 'ckpt convert IMAGE --parent PARENT --flatten -o FULL.ckpt' makes an image that has them");
    }
}
