package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.criu.proto.PagemapEntry;
import dev.ckptkit.io.AtomicFiles;
import dev.ckptkit.io.CorruptImageException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes an incremental CRIU image directory self-contained: every in_parent (PE_PARENT) run of its pagemaps, process
 * and shmem ones, is filled with the pages the parent chain holds ({@code parent}, {@code parent/parent}, ...,
 * followed as {@code criu restore} follows them), and the {@code parent} link is left out. Runs keep their place;
 * a filled run takes the flags of the run that had the data (PE_PRESENT, with PE_LAZY if that one had it), so the
 * result reads like a full dump. Every other file is copied unchanged.
 */
public final class CriuFlattener implements AutoCloseable {
    private static final int PAGE = Pagemap.PAGE;
    /** Deeper chains are a link cycle or a mistake; criu itself has no limit but a pre-dump series is short. */
    static final int MAX_DEPTH = 64;
    private static final String LINK = "parent";

    /** One pagemap of one level of the chain, with the offset of every run's data in its pages file. */
    private record Source(Pagemap pm, long[] offsets, MemorySegment pages, String label) {
        int runAt(long vaddr) {
            List<Pagemap.Run> runs = pm.runs();
            int lo = 0, hi = runs.size() - 1;
            if (!pm.ascending()) {
                for (int i = 0; i < runs.size(); i++) if (contains(runs.get(i), vaddr)) return i;
                return -1;
            }
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                Pagemap.Run r = runs.get(mid);
                if (Long.compareUnsigned(vaddr, r.vaddr()) < 0 || r.nrPages() == 0 && vaddr != r.vaddr()) hi = mid - 1;
                else if (Long.compareUnsigned(vaddr, r.end()) >= 0) lo = mid + 1;
                else return mid;
            }
            return -1;
        }

        private static boolean contains(Pagemap.Run r, long vaddr) {
            return Long.compareUnsigned(vaddr, r.vaddr()) >= 0 && Long.compareUnsigned(vaddr, r.end()) < 0;
        }
    }

    /** A page found in the chain: its bytes and the flags of the run holding it. */
    private record Found(MemorySegment bytes, int flags) {}

    /** How deep the chain went and how many pages were filled in. */
    public record Result(int depth, long pagesFilled) {}

    private final List<CriuImageSet> chain = new ArrayList<>();
    private final Map<String, Source> sources = new HashMap<>();
    private int depth;

    private CriuFlattener(CriuImageSet top) {
        chain.add(top);
    }

    /** Writes at {@code out} (a new directory) the image directory {@code dir} with its parent chain merged in. */
    public static Result flatten(Path dir, Path out) throws IOException {
        try (CriuFlattener f = new CriuFlattener(CriuImageSet.open(dir))) {
            long[] filled = {0};
            AtomicFiles.writeDirectory(out, tmp -> filled[0] = f.writeInto(tmp));
            return new Result(f.depth, filled[0]);
        }
    }

    /** True if some pagemap of the directory has runs in the parent image. */
    public static boolean isIncremental(Path dir) throws IOException {
        try (CriuImageSet set = CriuImageSet.open(dir)) {
            return hasParentRuns(set);
        }
    }

    static boolean hasParentRuns(CriuImageSet set) {
        for (Pagemap pm : set.pagemaps()) for (Pagemap.Run r : pm.runs()) if ((r.flags() & Pagemap.PE_PARENT) != 0) return true;
        return false;
    }

    private long writeInto(Path tmp) throws IOException {
        CriuImageSet top = chain.getFirst();
        Map<String, byte[]> pagemaps = new HashMap<>();
        Map<String, Pagemap> rewritten = new HashMap<>();
        for (Pagemap pm : top.pagemaps()) {
            boolean parentRuns = pm.runs().stream().anyMatch(r -> (r.flags() & Pagemap.PE_PARENT) != 0);
            if (parentRuns) rewritten.put(pm.pagesFileName(), pm);
        }
        long filled = 0;
        for (Map.Entry<String, Pagemap> e : rewritten.entrySet()) {
            Pagemap pm = e.getValue();
            Source own = source(0, pm.baseName());
            PagemapCodec.Parts parts = PagemapCodec.parse(top.image(pm.baseName()));
            List<PagemapEntry> out = new ArrayList<>();
            Path pagesOut = target(tmp, e.getKey());
            try (FileChannel ch = FileChannel.open(pagesOut, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (int r = 0; r < pm.runs().size(); r++) {
                    Pagemap.Run run = pm.runs().get(r);
                    PagemapEntry entry = parts.entries().get(r);
                    if (run.present()) {
                        write(ch, own.pages.asSlice(own.offsets[r], run.nrPages() * PAGE));
                        out.add(entry);
                    } else if ((run.flags() & Pagemap.PE_PARENT) != 0) {
                        long start = 0;
                        int flags = 0;
                        for (long k = 0; k < run.nrPages(); k++) {
                            Found f = fromParent(1, pm.baseName(), run.vaddr() + k * PAGE);
                            if (k > 0 && f.flags != flags) {
                                out.add(PagemapCodec.run(entry, run.vaddr() + start * PAGE, k - start, flags));
                                start = k;
                            }
                            flags = f.flags;
                            write(ch, f.bytes);
                        }
                        if (run.nrPages() > 0) out.add(PagemapCodec.run(entry, run.vaddr() + start * PAGE, run.nrPages() - start, flags));
                        filled += run.nrPages();
                    } else {
                        out.add(entry);  // lazy pages without data: nothing to fill in
                    }
                }
            }
            pagemaps.put(pm.baseName(), PagemapCodec.encode(new PagemapCodec.Parts(parts.prefix(), out)));
        }
        for (Map.Entry<String, MemorySegment> f : top.files().entrySet()) {
            if (rewritten.containsKey(f.getKey())) continue;
            byte[] replaced = pagemaps.get(f.getKey());
            if (replaced != null) Files.write(target(tmp, f.getKey()), replaced);
            else try (FileChannel ch = FileChannel.open(target(tmp, f.getKey()), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                write(ch, f.getValue());
            }
        }
        for (Map.Entry<String, String> l : top.symlinks().entrySet()) {
            if (l.getKey().equals(LINK)) continue;
            Files.createSymbolicLink(target(tmp, l.getKey()), Path.of(l.getValue()));
        }
        return filled;
    }

    /** The page at {@code vaddr} as level {@code level} of the chain has it, following its own parent if need be. */
    private Found fromParent(int level, String pagemap, long vaddr) throws IOException {
        Source s = source(level, pagemap);
        String where = chain.get(level).dir().toString();
        if (s == null) {
            throw new IOException(chain.get(level - 1).resource(pagemap) + ": page 0x" + Long.toHexString(vaddr)
                    + " is in the parent image, but " + where + " has no " + pagemap);
        }
        int r = s.runAt(vaddr);
        Pagemap.Run run = r < 0 ? null : s.pm.runs().get(r);
        if (run != null && run.present()) {
            return new Found(s.pages.asSlice(s.offsets[r] + (vaddr - run.vaddr()), PAGE), run.flags());
        }
        if (run != null && (run.flags() & Pagemap.PE_PARENT) != 0) return fromParent(level + 1, pagemap, vaddr);
        throw new IOException(chain.get(level - 1).resource(pagemap) + ": page 0x" + Long.toHexString(vaddr)
                + " is in the parent image, but " + s.label + (run == null ? " does not list it" : " has it without data (lazy)"));
    }

    private Source source(int level, String pagemap) throws IOException {
        String key = level + "/" + pagemap;
        if (sources.containsKey(key)) return sources.get(key);
        CriuImageSet set = level(level);
        Source s = null;
        CriuImage img = set.image(pagemap);
        if (img != null && img.kind() == ImageKind.PAGEMAP) {
            Pagemap pm = Pagemap.decode(img);
            MemorySegment pages = set.segment(pm.pagesFileName());
            if (pages == null && pm.presentBytes() > 0) throw new IOException(set.resource(pm.pagesFileName()) + ": missing (" + pagemap + " lists present pages)");
            if (!pm.onlyKnownFields() || (pages != null && pages.byteSize() != pm.presentBytes())) {
                throw new CorruptImageException(set.resource(pm.pagesFileName()), 0, pagemap + " lists " + pm.presentBytes()
                        + " bytes of present pages, the file has " + (pages == null ? 0 : pages.byteSize()) + ": cannot locate its pages");
            }
            long[] off = new long[pm.runs().size()];
            long at = 0;
            for (int i = 0; i < off.length; i++) {
                off[i] = at;
                Pagemap.Run run = pm.runs().get(i);
                if (run.present()) at += run.nrPages() * PAGE;
            }
            s = new Source(pm, off, pages == null ? MemorySegment.ofArray(new byte[0]) : pages, set.resource(pagemap));
        }
        sources.put(key, s);
        return s;
    }

    private CriuImageSet level(int level) throws IOException {
        while (chain.size() <= level) {
            CriuImageSet prev = chain.getLast();
            if (chain.size() > MAX_DEPTH) throw new IOException(prev.dir() + ": parent chain deeper than " + MAX_DEPTH + " (a link cycle?)");
            Path link = prev.dir().resolve(LINK);
            if (!CriuImageSet.looksLike(link)) {
                String why = Files.isSymbolicLink(link) && !Files.exists(link) ? " links to " + Files.readSymbolicLink(link) + ", which does not exist"
                        : Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? " is not a CRIU image directory" : " does not exist";
                throw new IOException(prev.dir() + " has pages in its parent image, but " + link + why
                        + ": the parent chain must be present to flatten");
            }
            chain.add(CriuImageSet.open(link.toRealPath()));
            depth = Math.max(depth, chain.size() - 1);
        }
        return chain.get(level);
    }

    private static Path target(Path dir, String name) throws IOException {
        Path t = dir.resolve(name).normalize();
        if (!t.startsWith(dir)) throw new IOException(name + ": name points outside the image directory");
        Files.createDirectories(t.getParent());
        return t;
    }

    private static void write(FileChannel ch, MemorySegment data) throws IOException {
        for (long at = 0; at < data.byteSize(); at += 1 << 20) {
            var b = data.asSlice(at, Math.min(1 << 20, data.byteSize() - at)).asByteBuffer();
            while (b.hasRemaining()) ch.write(b);
        }
    }

    @Override
    public void close() {
        for (CriuImageSet s : chain) s.close();
    }
}
