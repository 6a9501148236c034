package dev.ckptkit.backend.criu;

import dev.ckptkit.io.AtomicFiles;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes the CRIU image directory a CKPT image was imported from: native records back to files byte for byte,
 * and each page-store pages-N.img rebuilt by walking its pagemap and taking the pages from the page store.
 * Images without CRIU records get CRIU files made from their tables instead ({@link TableToCriu}). The directory
 * appears whole or not at all.
 */
final class CriuExporter {
    private static final int PAGE = Pagemap.PAGE;
    private static final int BUFFER = 1 << 20;

    private CriuExporter() {}

    /** True if the image carries CRIU records (it was imported from CRIU). */
    static boolean hasCriuRecords(CkptReader r) {
        return r.nativeNames().stream().anyMatch(n -> n.equals(CriuImporter.NATIVE_PREFIX + "inventory.img"));
    }

    static void export(CkptReader r, Path out) throws IOException {
        AtomicFiles.writeDirectory(out, dir -> writeInto(r, dir));
    }

    /** The image's own CRIU files when it came from CRIU, else CRIU files made from its tables ({@link TableToCriu}). */
    static void writeInto(CkptReader r, Path dir) throws IOException {
        if (!hasCriuRecords(r)) {
            TableToCriu.writeInto(r, dir);
            return;
        }
        Set<String> written = new HashSet<>();
        for (String n : r.nativeNames()) {
            if (n.startsWith(CriuImporter.NATIVE_PREFIX)) {
                String name = n.substring(CriuImporter.NATIVE_PREFIX.length());
                Files.write(target(dir, name), r.nativeRecord(n));
                written.add(name);
            } else if (n.startsWith(CriuImporter.LINK_PREFIX)) {
                Path link = target(dir, n.substring(CriuImporter.LINK_PREFIX.length()));
                Files.createSymbolicLink(link, Path.of(new String(r.nativeRecord(n), StandardCharsets.UTF_8)));
            }
        }
        for (String a : r.attachments().keySet()) {
            if (!a.startsWith(CriuImporter.LARGE_PREFIX)) continue;
            String name = a.substring(CriuImporter.LARGE_PREFIX.length());
            try (InputStream in = r.attachment(a); OutputStream o = Files.newOutputStream(target(dir, name))) {
                in.transferTo(o);
            }
            written.add(name);
        }
        PageStore store = r.pages();
        for (String name : Set.copyOf(written)) {
            if (name.contains("/") || !name.startsWith("pagemap-") || name.startsWith("pagemap-shmem-")) continue;
            CriuImage img = ImageParser.parse(name, ByteBuffer.wrap(Files.readAllBytes(dir.resolve(name))));
            if (img.kind() != ImageKind.PAGEMAP) continue;
            Pagemap pm = Pagemap.decode(img);
            if (written.contains(pm.pagesFileName())) continue; // kept verbatim at import
            writePages(r, store, pm, dir.resolve(pm.pagesFileName()));
            written.add(pm.pagesFileName());
        }
    }

    private static Path target(Path dir, String name) throws IOException {
        Path t = dir.resolve(name).normalize();
        if (!t.startsWith(dir)) throw new CorruptImageException("native record criu/" + name, 0, "name points outside the image directory");
        Files.createDirectories(t.getParent());
        return t;
    }

    /** Rebuilds one pages file: the data of every present page of the pagemap, in pagemap order. */
    private static void writePages(CkptReader r, PageStore store, Pagemap pm, Path file) throws IOException {
        int pid = (int) pm.owner();
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        MemorySegment bufSeg = MemorySegment.ofBuffer(buf);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long i = store.range(pid)[0];
            for (Pagemap.Run run : pm.runs()) {
                if (!run.present()) {
                    i += run.nrPages();
                    continue;
                }
                for (long k = 0; k < run.nrPages(); k++, i++) {
                    long vaddr = run.vaddr() + k * PAGE;
                    if (i >= store.size() || store.pidAt(i) != pid || store.vaddrAt(i) != vaddr) {
                        i = store.find(pid, vaddr);
                        if (i < 0) {
                            throw new CorruptImageException(r.path().toString(), 0, "page store has no page for pid " + pid
                                    + " at 0x" + Long.toHexString(vaddr) + " that " + pm.fileName() + " lists as present");
                        }
                    }
                    long ref = store.pageAt(i);
                    int at = buf.position();
                    if (ref == CkptFormat.PAGE_ZERO) {
                        bufSeg.asSlice(at, PAGE).fill((byte) 0);
                    } else if (ref >= 0) {
                        MemorySegment.copy(store.page(ref), 0, bufSeg, at, PAGE);
                    } else {
                        throw new CorruptImageException(r.path().toString(), 0, "page of pid " + pid + " at 0x"
                                + Long.toHexString(vaddr) + " has no data, but " + pm.fileName() + " lists it as present");
                    }
                    buf.position(at + PAGE);
                    if (!buf.hasRemaining()) flush(ch, buf);
                }
            }
            flush(ch, buf);
        }
    }

    private static void flush(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
        buf.clear();
    }
}
