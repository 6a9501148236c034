package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.criu.proto.PagemapEntry;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a full CRIU dump into an incremental one against a parent CKPT image: every present page whose bytes equal
 * the parent's page at the same address of the same pid becomes an in_parent run (PE_PARENT), its data leaves
 * pages-N.img, and a {@code parent} link is added. That is the layout {@code criu dump --prev-images-dir
 * --track-mem} writes, so {@code criu restore} reads those pages from the parent directory; there the kernel's
 * soft-dirty bits choose the pages, here their content does. Kernels without soft-dirty tracking (this project's
 * test VM) cannot run criu's own incremental dumps at all, and a page rewritten with the same bytes is still found.
 * Only pages files that go to the page store are changed (process memory); shmem and odd pages files stay whole.
 */
final class IncrementalDump {
    private static final int PAGE = Pagemap.PAGE;
    private static final MemorySegment ZERO = MemorySegment.ofArray(new byte[PAGE]);

    private IncrementalDump() {}

    /** Pages looked at, and those now in the parent. */
    record Result(long pages, long inParent) {}

    /**
     * Makes {@code dir} (a fresh dump this code owns) incremental against {@code parent} (found at {@code parentAt})
     * and imports it; when no page is the same as the parent's, the image is a full one. Capture and convert share it.
     */
    static Result importAgainst(CriuBackend backend, Path dir, CkptReader parent, Path parentAt, ImportContext ctx, String criuVersion) throws IOException {
        ctx.progress().update("compare with parent", 0, 0);
        Result r = againstParent(dir, parent, CriuCapture.linkTo(parentAt));
        Manifest.Parent ref = r.inParent() == 0 ? null : new Manifest.Parent(parent.header().uuid().toString(), CriuImporter.hint(parentAt, ctx.output()));
        backend.importImage(dir, ctx, criuVersion, ref, ref == null ? null : PageReader.InParent.of(parent));
        return r;
    }

    /** Rewrites {@code dir} in place (a directory this code owns: a fresh dump); {@code link} becomes the parent link. */
    static Result againstParent(Path dir, CkptReader parent, String link) throws IOException {
        PageStore ps = parent.pages();
        Map<Path, Path> replacements = new LinkedHashMap<>();
        long pages = 0, inParent = 0;
        try (CriuImageSet set = CriuImageSet.open(dir)) {
            for (Map.Entry<String, Pagemap> f : set.pageStoreFiles().entrySet()) {
                Pagemap pm = f.getValue();
                int pid = (int) pm.owner();
                MemorySegment data = set.segment(f.getKey());
                PagemapCodec.Parts parts = PagemapCodec.parse(set.image(pm.baseName()));
                List<PagemapEntry> out = new ArrayList<>(parts.entries().size());
                Path newPages = dir.resolve(f.getKey() + ".incr");
                long found = 0;
                try (FileChannel ch = FileChannel.open(newPages, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    long at = 0;
                    for (int r = 0; r < pm.runs().size(); r++) {
                        Pagemap.Run run = pm.runs().get(r);
                        PagemapEntry e = parts.entries().get(r);
                        if (!run.present()) {
                            out.add(e);
                            continue;
                        }
                        pages += run.nrPages();
                        long before = found;
                        // split the run where "same as the parent" changes
                        long start = 0;
                        boolean startSame = false;
                        for (long k = 0; k <= run.nrPages(); k++) {
                            boolean same = false;
                            if (k < run.nrPages()) {
                                MemorySegment page = data.asSlice(at + k * PAGE, PAGE);
                                same = sameAsParent(ps, pid, run.vaddr() + k * PAGE, page);
                                if (same) found++;
                                else write(ch, page);
                            }
                            if (k == 0) {
                                startSame = same;
                            } else if (k == run.nrPages() || same != startSame) {
                                if (found == before) break;  // nothing in the parent: the run stays as it was
                                long va = run.vaddr() + start * PAGE;
                                out.add(PagemapCodec.run(e, va, k - start, startSame ? Pagemap.PE_PARENT : run.flags()));
                                start = k;
                                startSame = same;
                            }
                        }
                        if (found == before) out.add(e);
                        at += run.nrPages() * PAGE;
                    }
                }
                if (found == 0) {
                    Files.delete(newPages);
                    continue;
                }
                inParent += found;
                Path newMap = dir.resolve(pm.baseName() + ".incr");
                Files.write(newMap, PagemapCodec.encode(new PagemapCodec.Parts(parts.prefix(), out)));
                replacements.put(newPages, dir.resolve(f.getKey()));
                replacements.put(newMap, dir.resolve(pm.baseName()));
            }
        }
        for (Map.Entry<Path, Path> r : replacements.entrySet()) {
            Files.move(r.getKey(), r.getValue(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        if (inParent > 0) Files.createSymbolicLink(dir.resolve(CriuChain.LINK), Path.of(link));
        return new Result(pages, inParent);
    }

    /** True if the parent holds exactly these bytes for the page (as data, or as a zero page). */
    private static boolean sameAsParent(PageStore ps, int pid, long vaddr, MemorySegment page) throws CorruptImageException {
        long i = ps.find(pid, vaddr);
        if (i < 0) return false;
        long ref = ps.pageAt(i);
        if (ref == CkptFormat.PAGE_ZERO) return page.mismatch(ZERO) == -1;
        return ref >= 0 && page.mismatch(ps.page(ref)) == -1;
    }

    private static void write(FileChannel ch, MemorySegment page) throws IOException {
        var b = page.asByteBuffer();
        while (b.hasRemaining()) ch.write(b);
    }
}
