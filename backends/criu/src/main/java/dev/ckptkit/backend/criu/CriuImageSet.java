package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.criu.proto.InventoryEntry;
import dev.ckptkit.backend.criu.proto.MmEntry;
import dev.ckptkit.backend.criu.proto.VmaEntry;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.UnsupportedImageException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A CRIU image directory, opened: every file listed and mapped, every CRIU image split into entries, and the
 * pagemaps matched with their pages files. Page files that one process's pagemap fully and exactly describes
 * ("page-store files") are the only ones whose bytes are not kept verbatim: their pages go to the CKPT page store
 * and are rebuilt from it on export. Anything else (shmem pages, compressed or odd page files) is kept as is.
 */
public final class CriuImageSet implements AutoCloseable {
    /** CRIU image format versions this code reads: CRTOOLS_IMAGES_V1_1 (criu/image.c rejects others too). */
    public static final int IMAGES_V1_1 = 2;
    /** Files larger than this are never split into entries (kept whole, as raw data). */
    private static final long MAX_PARSED = 1L << 30;

    private final Path dir;
    /** How error messages name the directory: its path, or ARCHIVE!checkpoint for a container archive. */
    private final String label;
    private final Arena arena = Arena.ofShared();
    private final Map<String, MemorySegment> files = new TreeMap<>();
    private final Map<String, String> symlinks = new TreeMap<>();
    private final Map<String, CriuImage> images = new TreeMap<>();
    private final Map<String, Pagemap> pageStoreFiles = new LinkedHashMap<>();
    private final List<Pagemap> pagemaps = new ArrayList<>();
    private InventoryEntry inventory;

    private CriuImageSet(Path dir, String label) {
        this.dir = dir;
        this.label = label;
    }

    /** True if {@code dir} looks like a CRIU image directory (it has an inventory). */
    public static boolean looksLike(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve("inventory.img"));
    }

    public static CriuImageSet open(Path dir) throws IOException {
        return open(dir, dir.toString());
    }

    /** Opens {@code dir}, naming it {@code label} in error messages. */
    public static CriuImageSet open(Path dir, String label) throws IOException {
        CriuImageSet s = new CriuImageSet(dir, label);
        try {
            s.load();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void load() throws IOException {
        if (!Files.isRegularFile(dir.resolve("inventory.img"))) {
            throw new IOException(label + ": not a CRIU image directory (no inventory.img)");
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.filter(p -> !p.equals(dir)).sorted().toList();
        }
        for (Path p : paths) {
            String name = dir.relativize(p).toString();
            if (Files.isSymbolicLink(p)) {
                symlinks.put(name, Files.readSymbolicLink(p).toString());
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                files.put(name, map(p));
            }
        }
        for (Map.Entry<String, MemorySegment> f : files.entrySet()) {
            if (isPagesName(f.getKey())) continue; // raw page data, validated against the pagemaps below
            MemorySegment seg = f.getValue();
            // CRIU's protobuf images are small; anything this large can only be raw data (a tarball, a log)
            ByteBuffer view = seg.byteSize() > MAX_PARSED ? seg.asSlice(0, 0).asByteBuffer() : seg.asByteBuffer();
            CriuImage img = ImageParser.parse(resource(f.getKey()), view);
            images.put(f.getKey(), img);
        }
        CriuImage inv = images.get("inventory.img");
        if (inv.kind() != ImageKind.INVENTORY) throw new CorruptImageException(resource("inventory.img"), 0, "not an inventory image (bad magic)");
        inventory = inv.decodeOne(InventoryEntry.parser());
        if (inventory.getImgVersion() != IMAGES_V1_1) {
            throw new UnsupportedImageException(resource("inventory.img"), "CRIU image version "
                    + inventory.getImgVersion() + " is not supported (this reader knows version " + IMAGES_V1_1
                    + ", CRTOOLS_IMAGES_V1_1, written by CRIU 1.6 and later)");
        }
        for (CriuImage img : images.values()) {
            if (img.kind() == ImageKind.PAGEMAP) pagemaps.add(Pagemap.decode(img));
        }
        pagemaps.sort((a, b) -> a.shmem() != b.shmem() ? Boolean.compare(a.shmem(), b.shmem()) : Long.compare(a.owner(), b.owner()));
        choosePageStoreFiles();
    }

    /**
     * A pages file goes to the page store only if exactly one process pagemap uses it and accounts for every byte.
     * A size mismatch with a pagemap this code fully understands is corruption (CRIU could not restore it either).
     */
    private void choosePageStoreFiles() throws CorruptImageException {
        Map<String, Integer> users = new HashMap<>();
        for (Pagemap pm : pagemaps) users.merge(pm.pagesFileName(), 1, Integer::sum);
        for (Pagemap pm : pagemaps) {
            String pages = pm.pagesFileName();
            MemorySegment data = files.get(pages);
            if (pm.shmem() || users.get(pages) != 1 || data == null || pm.owner() > Integer.MAX_VALUE) continue;
            if (data.byteSize() != pm.presentBytes() && pm.onlyKnownFields()) {
                throw new CorruptImageException(resource(pages), Math.min(data.byteSize(), pm.presentBytes()), pm.fileName() + " lists "
                        + pm.presentBytes() + " bytes of present pages, the file has " + data.byteSize()
                        + (data.byteSize() < pm.presentBytes() ? " (truncated?)" : ""));
            }
            if (data.byteSize() != pm.presentBytes() || !pm.ascending()) continue;
            // every page listed becomes a page-index entry, so the runs must be real memory: inside the process's
            // memory areas (CRIU's restore refuses pages outside them too); a few bytes of pagemap could otherwise
            // claim 2^40 absent pages. Without mm-PID.img nothing bounds them: the files are kept as they are.
            CriuImage mm = images.get("mm-" + pm.owner() + ".img");
            if (mm == null || mm.kind() != ImageKind.MM) continue;
            checkInsideVmas(pm, mm.decodeOne(MmEntry.parser()));
            pageStoreFiles.put(pages, pm);
        }
    }

    /** Each run of {@code pm} lies inside the union of the VMAs of {@code mm} (adjacent VMAs may share a run). */
    private void checkInsideVmas(Pagemap pm, MmEntry mm) throws CorruptImageException {
        List<long[]> areas = new ArrayList<>();
        for (VmaEntry v : mm.getVmasList()) {
            if (Long.compareUnsigned(v.getStart(), v.getEnd()) < 0) areas.add(new long[] {v.getStart(), v.getEnd()});
        }
        areas.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] a : areas) {
            long[] last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && Long.compareUnsigned(a[0], last[1]) <= 0) {
                if (Long.compareUnsigned(a[1], last[1]) > 0) last[1] = a[1];
            } else {
                merged.add(a.clone());
            }
        }
        int k = 0;
        for (int i = 0; i < pm.runs().size(); i++) {
            Pagemap.Run r = pm.runs().get(i);
            if (r.nrPages() == 0) continue;
            while (k < merged.size() && Long.compareUnsigned(merged.get(k)[1], r.vaddr()) <= 0) k++;
            boolean inside = k < merged.size() && Long.compareUnsigned(merged.get(k)[0], r.vaddr()) <= 0
                    && r.nrPages() <= Long.divideUnsigned(merged.get(k)[1] - r.vaddr(), Pagemap.PAGE);
            if (!inside) {
                CriuImage img = images.values().stream().filter(m -> m.name().equals(pm.fileName())).findFirst().orElseThrow();
                throw new CorruptImageException(pm.fileName(), img.entries().get(i + 1).offset(), "entry " + (i + 1) + ": "
                        + Long.toUnsignedString(r.nrPages()) + " pages at 0x" + Long.toHexString(r.vaddr())
                        + " lie outside the memory areas of mm-" + pm.owner() + ".img");
            }
        }
    }

    /** The name of a file in error messages. */
    String resource(String name) {
        return label + "/" + name;
    }

    static boolean isPagesName(String name) {
        return name.startsWith("pages-") && name.endsWith(".img");
    }

    private MemorySegment map(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) return MemorySegment.ofArray(new byte[0]);
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
    }

    public Path dir() { return dir; }

    public InventoryEntry inventory() { return inventory; }

    /** Regular files by relative name, sorted. */
    public Map<String, MemorySegment> files() { return Collections.unmodifiableMap(files); }

    /** Symbolic links (e.g. {@code parent} of an incremental dump) by name, with their targets. */
    public Map<String, String> symlinks() { return Collections.unmodifiableMap(symlinks); }

    /** Parsed images by name (every file but pages-*.img). */
    public Map<String, CriuImage> images() { return Collections.unmodifiableMap(images); }

    public CriuImage image(String name) { return images.get(name); }

    /** All pagemaps: process ones by pid, then shmem ones. */
    public List<Pagemap> pagemaps() { return Collections.unmodifiableList(pagemaps); }

    /** pages-N.img names whose data goes to the page store, with the pagemap that describes each. */
    public Map<String, Pagemap> pageStoreFiles() { return Collections.unmodifiableMap(pageStoreFiles); }

    public ByteBuffer bytes(String name) {
        MemorySegment s = files.get(name);
        return s == null ? null : s.asByteBuffer();
    }

    public MemorySegment segment(String name) { return files.get(name); }

    @Override
    public void close() {
        arena.close();
    }
}
