package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.criu.proto.PagemapEntry;
import dev.ckptkit.io.CorruptImageException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites pagemap images (incremental capture, flattening): the magics and the head entry are kept byte for byte,
 * the run entries are re-encoded. Entries a rewrite does not change keep their decoded message, so they encode to
 * the same bytes (protobuf-java writes known fields in field order, as protobuf-c does).
 */
final class PagemapCodec {
    private PagemapCodec() {}

    /** A pagemap file taken apart: everything before the first run entry, and the run entries. */
    record Parts(byte[] prefix, List<PagemapEntry> entries) {}

    static Parts parse(CriuImage img) throws CorruptImageException {
        if (img.kind() != ImageKind.PAGEMAP || img.entries().isEmpty()) {
            throw new CorruptImageException(img.name(), 0, "not a pagemap image with a head entry");
        }
        CriuImage.Entry head = img.entries().getFirst();
        byte[] prefix = new byte[(int) head.end()];
        img.data().get(0, prefix);
        List<PagemapEntry> entries = new ArrayList<>(img.entries().size() - 1);
        for (CriuImage.Entry e : img.entries().subList(1, img.entries().size())) entries.add(img.decode(e, PagemapEntry.parser()));
        return new Parts(prefix, entries);
    }

    static byte[] encode(Parts p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(p.prefix().length + p.entries().size() * 24);
        out.writeBytes(p.prefix());
        for (PagemapEntry e : p.entries()) {
            byte[] payload = e.toByteArray();
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(payload.length).array());
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    /**
     * {@code like} moved to another run: same fields, its own address, count and flags. The count goes where
     * {@code like} had it (nr_pages, or compat_nr_pages in old images); {@code in_parent} follows the flags.
     */
    static PagemapEntry run(PagemapEntry like, long vaddr, long nrPages, int flags) {
        PagemapEntry.Builder b = like.toBuilder().setVaddr(vaddr).setFlags(flags);
        if (like.hasNrPages() || nrPages > 0xFFFFFFFFL) b.setNrPages(nrPages);
        else b.setCompatNrPages((int) nrPages);
        if (like.hasInParent()) b.setInParent((flags & Pagemap.PE_PARENT) != 0);
        return b.build();
    }

    /** Pages in an entry, as {@link Pagemap#decode} counts them. */
    static long nrPages(PagemapEntry e) {
        return e.hasNrPages() ? e.getNrPages() : Integer.toUnsignedLong(e.getCompatNrPages());
    }

    /** Flags of an entry, normalised as {@link Pagemap#decode} does for old images. */
    static int flags(PagemapEntry e) {
        return e.hasFlags() ? e.getFlags() : e.getInParent() ? Pagemap.PE_PARENT : Pagemap.PE_PRESENT;
    }
}
