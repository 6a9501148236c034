package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.criu.proto.PagemapEntry;
import dev.ckptkit.backend.criu.proto.PagemapHead;
import dev.ckptkit.io.CorruptImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A decoded pagemap image: which pages of a process (or shared memory object) were dumped, and which of them have
 * their data in pages-{@code pagesId}.img, in order. Flags are normalised the way CRIU reads old images: without a
 * flags field, {@code in_parent} means PE_PARENT and anything else PE_PRESENT. {@code onlyKnownFields} is false when
 * an entry has fields this code does not know (a newer CRIU, e.g. compressed pages), whose page data it must not
 * interpret.
 */
public record Pagemap(String fileName, boolean shmem, long owner, int pagesId, List<Run> runs, boolean onlyKnownFields) {
    public static final int PE_PARENT = 1;
    public static final int PE_LAZY = 2;
    public static final int PE_PRESENT = 4;
    public static final int PAGE = 4096;

    private static final Pattern PID = Pattern.compile("pagemap-(\\d+)\\.img");
    private static final Pattern SHMEM = Pattern.compile("pagemap-shmem-(\\d+)\\.img");

    /** Consecutive pages with the same flags; {@code nrPages} pages from {@code vaddr}. */
    public record Run(long vaddr, long nrPages, int flags) {
        public boolean present() { return (flags & PE_PRESENT) != 0; }

        public long end() { return vaddr + nrPages * PAGE; }
    }

    /** True for names CRIU gives pagemap images (pagemap-PID.img, pagemap-shmem-ID.img). */
    public static boolean isPagemapName(String name) {
        return PID.matcher(name).matches() || SHMEM.matcher(name).matches();
    }

    public static Pagemap decode(CriuImage img) throws CorruptImageException {
        String base = img.name().substring(img.name().lastIndexOf('/') + 1);
        Matcher pm = PID.matcher(base);
        Matcher sm = SHMEM.matcher(base);
        boolean shmem = sm.matches();
        long owner = shmem ? Long.parseLong(sm.group(1)) : pm.matches() ? Long.parseLong(pm.group(1)) : -1;
        if (img.entries().isEmpty()) throw new CorruptImageException(img.name(), img.data().limit(), "pagemap without a head entry");
        int pagesId = img.decode(img.entries().getFirst(), PagemapHead.parser()).getPagesId();
        List<Run> runs = new ArrayList<>(img.entries().size() - 1);
        boolean known = true;
        for (CriuImage.Entry e : img.entries().subList(1, img.entries().size())) {
            PagemapEntry pe = img.decode(e, PagemapEntry.parser());
            known &= pe.getUnknownFields().asMap().isEmpty();
            long nr = pe.hasNrPages() ? pe.getNrPages() : Integer.toUnsignedLong(pe.getCompatNrPages());
            int flags = pe.hasFlags() ? pe.getFlags() : pe.getInParent() ? PE_PARENT : PE_PRESENT;
            if ((pe.getVaddr() & (PAGE - 1)) != 0) {
                throw new CorruptImageException(img.name(), e.payloadOffset(), "entry " + e.index() + ": vaddr 0x"
                        + Long.toHexString(pe.getVaddr()) + " is not page aligned");
            }
            if (nr < 0 || nr > (1L << 40)) {
                throw new CorruptImageException(img.name(), e.payloadOffset(), "entry " + e.index() + ": " + Long.toUnsignedString(nr) + " pages is not plausible");
            }
            runs.add(new Run(pe.getVaddr(), nr, flags));
        }
        return new Pagemap(img.name(), shmem, owner, pagesId, List.copyOf(runs), known);
    }

    /** The pagemap's own file name (fileName may carry the directory, for messages). */
    public String baseName() {
        return fileName.substring(fileName.lastIndexOf('/') + 1);
    }

    public String pagesFileName() {
        return "pages-" + Integer.toUnsignedString(pagesId) + ".img";
    }

    /** Bytes of page data this pagemap expects in its pages file. */
    public long presentBytes() {
        long n = 0;
        for (Run r : runs) if (r.present()) n += r.nrPages() * PAGE;
        return n;
    }

    public long pageCount() {
        long n = 0;
        for (Run r : runs) n += r.nrPages();
        return n;
    }

    /** True if runs come in strictly ascending, non-overlapping address order (what the CKPT page index needs). */
    public boolean ascending() {
        long end = 0;
        boolean first = true;
        for (Run r : runs) {
            if (!first && Long.compareUnsigned(r.vaddr(), end) < 0) return false;
            if (r.nrPages() == 0) continue;
            end = r.end();
            if (end != 0 && Long.compareUnsigned(end, r.vaddr()) < 0) return false;
            first = false;
        }
        return true;
    }
}
