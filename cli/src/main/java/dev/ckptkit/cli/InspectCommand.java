package dev.ckptkit.cli;

import dev.ckptkit.analyzer.inspect.Inspector;
import dev.ckptkit.backend.ImageOpener;
import java.nio.file.Path;
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
}
