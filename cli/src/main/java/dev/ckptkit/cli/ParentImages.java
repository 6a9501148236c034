package dev.ckptkit.cli;

import dev.ckptkit.analyzer.ParentChain;
import dev.ckptkit.backend.ImageOpener;
import dev.ckptkit.io.CkptReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parent images of an incremental image, for restore and convert: opens those given with --parent (CKPT files,
 * or CRIU dirs converted on the fly, whose UUIDs match what an import of the child recorded) and resolves the chain
 * (analyzer's {@link ParentChain}: by UUID, then by the manifests' path hints); closes everything it opened.
 */
final class ParentImages implements AutoCloseable {
    private final CkptCommand cmd;
    private final List<ImageOpener.Opened> opened = new ArrayList<>();

    ParentImages(CkptCommand cmd) {
        this.cmd = cmd;
    }

    /**
     * The chain of {@code image} (opened from {@code input}: for a converted input the path hints are relative to the
     * temporary CKPT file, which is where the import computed them); given parents not in it are reported on stderr.
     */
    ParentChain resolve(CkptReader image, Path input, List<Path> given) throws IOException {
        List<ParentChain.Candidate> candidates = new ArrayList<>();
        for (Path p : given) candidates.add(new ParentChain.Candidate(p, open(p)));
        ParentChain chain = ParentChain.resolve(image, image.path(), input.toString(), candidates, this::open);
        for (Path p : chain.unused()) cmd.err().println("ckpt: warning: --parent " + p + " is not in the parent chain of " + input);
        return chain;
    }

    private CkptReader open(Path p) throws IOException {
        ImageOpener.Opened o = cmd.openImage(p);
        opened.add(o);
        return o.reader();
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (ImageOpener.Opened o : opened) {
            try {
                o.close();
            } catch (IOException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
