package dev.ckptkit.backend.criu;

import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.io.manifest.Manifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parent directories of an incremental dump directory, opened along its {@code parent} links as far as they
 * lead, for an import: they name the parent in the manifest and give the in_parent pages that the tables read
 * (argv, environ). A missing or damaged parent only ends the chain; the import itself never needs it.
 */
final class ParentDirChain implements AutoCloseable {
    private final CriuImageSet child;
    private final List<CriuImageSet> parents = new ArrayList<>();
    private final PageReader.InParent pages;

    ParentDirChain(CriuImageSet child) {
        this.child = child;
        CriuImageSet cur = child;
        while (parents.size() < CriuFlattener.MAX_DEPTH && CriuImageSet.looksLike(cur.dir().resolve(CriuChain.LINK))) {
            try {
                cur = CriuImageSet.open(cur.dir().resolve(CriuChain.LINK).toRealPath());
            } catch (IOException | RuntimeException e) {
                break;
            }
            parents.add(cur);
        }
        PageReader.InParent f = PageReader.InParent.NONE;
        for (int i = parents.size() - 1; i >= 0; i--) f = new PageReader(parents.get(i), f)::read;
        pages = f;
    }

    /** Reads in_parent pages from the chain (nothing when there is no parent directory). */
    PageReader.InParent pages() { return pages; }

    /**
     * The manifest's parent for the child: when its link leads to a CRIU image directory, the UUID an import of that
     * directory gives (so the parent converted later, or on the fly, matches) and the directory relative to
     * {@code output}'s; else an unknown UUID and the link as written. Null without a parent link.
     */
    Manifest.Parent reference(Path output) {
        String link = child.symlinks().get(CriuChain.LINK);
        if (link == null) return null;
        if (parents.isEmpty() || output == null) return new Manifest.Parent(null, link);
        try {
            CriuImageSet p = parents.getFirst();
            return new Manifest.Parent(WriterOptions.uuidFrom(CriuImporter.identity(p, Map.of())).toString(), CriuImporter.hint(p.dir(), output));
        } catch (IOException e) {
            return new Manifest.Parent(null, link);
        }
    }

    @Override
    public void close() {
        for (CriuImageSet s : parents) s.close();
    }
}
