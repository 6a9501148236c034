package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.io.AtomicFiles;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.manifest.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An incremental CKPT image with its parent chain, as CRIU image directories: {@code images/} for the image and
 * {@code parent-1/}, {@code parent-2/}, ... for its parents, each directory's {@code parent} link pointing at the
 * next one, which is how {@code criu restore} finds in_parent pages. The caller has matched the chain against the
 * images' manifests (parent UUIDs); this class only lays it out.
 */
public final class CriuChain {
    static final String LINK = "parent";

    private CriuChain() {}

    /** Exports {@code image} and {@code parents} (nearest first) under {@code work}; returns the image's directory. */
    static Path export(CkptReader image, List<CkptReader> parents, Path work) throws IOException {
        List<CkptReader> all = new ArrayList<>();
        all.add(image);
        all.addAll(parents);
        Path top = null;
        for (int i = 0; i < all.size(); i++) {
            CkptReader r = all.get(i);
            if (!CriuExporter.hasCriuRecords(r)) {
                throw new IOException(r.path() + ": has no CRIU records (criu/inventory.img): only images captured or imported from CRIU can be "
                        + (i == 0 ? "restored with criu" : "the parent of a CRIU image"));
            }
            Path d = Files.createDirectory(work.resolve(dirName(i)));
            CriuExporter.writeInto(r, d);
            if (i + 1 < all.size()) {
                // the recorded link says where the parent was at capture; the chain is here now
                Path link = d.resolve(LINK);
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, Path.of("..", dirName(i + 1)));
            }
            if (top == null) top = d;
        }
        return top;
    }

    private static String dirName(int level) {
        return level == 0 ? "images" : "parent-" + level;
    }

    /**
     * Writes at {@code out} a self-contained CRIU image directory: {@code image} with every page it has in its parent
     * chain filled in from {@code parents} (nearest first).
     */
    public static CriuFlattener.Result flatten(CkptReader image, List<CkptReader> parents, Path out) throws IOException {
        Path work = Files.createTempDirectory("ckpt-flatten-");
        try {
            return CriuFlattener.flatten(export(image, parents, work), out);
        } finally {
            AtomicFiles.deleteTree(work);
        }
    }

    /**
     * Imports the full dump {@code dir} as an incremental image against {@code parentCkpt}: pages equal to the
     * parent's stay there (see {@link IncrementalDump}). The input is copied first, never changed.
     *
     * @return pages of the dump that are now in the parent
     */
    public static long importIncremental(Path dir, Path parentCkpt, ImportContext ctx) throws IOException {
        Path work = Files.createTempDirectory("ckpt-incremental-");
        try (CkptReader parent = openParent(parentCkpt)) {
            Path copy = work.resolve(dir.toAbsolutePath().normalize().getFileName().toString());
            try (var s = Files.walk(dir)) {
                for (Path p : s.toList()) {
                    Path t = copy.resolve(dir.relativize(p).toString());
                    if (Files.isSymbolicLink(p)) Files.createSymbolicLink(t, Files.readSymbolicLink(p));
                    else if (Files.isDirectory(p)) Files.createDirectories(t);
                    else Files.copy(p, t);
                }
            }
            if (Files.isSymbolicLink(copy.resolve(LINK))) throw new IOException(dir + " is already incremental (it has a parent link): flatten it first");
            return IncrementalDump.importAgainst(new CriuBackend(), copy, parent, parentCkpt, ctx, null).inParent();
        } finally {
            AtomicFiles.deleteTree(work);
        }
    }

    /** Opens the parent of an incremental image to be made, which must carry CRIU records to be restorable with it. */
    static CkptReader openParent(Path p) throws IOException {
        CkptReader r = CkptReader.open(p);
        if (!CriuExporter.hasCriuRecords(r)) {
            r.close();
            throw new IOException(p + ": has no CRIU records (criu/inventory.img): the parent of an incremental CRIU image must be a CRIU capture or import");
        }
        return r;
    }

    /** How many pages of {@code r} are in its parent image (the writer counts them in every manifest). */
    static long absentPages(CkptReader r) throws IOException {
        Manifest.Counts c = r.manifest().counts();
        return c == null ? 0 : c.absentPages();
    }
}
