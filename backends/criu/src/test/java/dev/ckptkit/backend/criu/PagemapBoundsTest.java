package dev.ckptkit.backend.criu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.criu.proto.PagemapEntry;
import dev.ckptkit.io.CorruptImageException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pagemap entry is one page-index entry per page, so a few hostile bytes could claim 2^40 in-parent pages (an
 * endless import writing terabytes): pages outside the process's memory areas are corruption, as CRIU's restore says.
 * Found by CriuFuzzTest; the same input is kept as a seed (CriuFuzzTestInputs/fuzzImageFile/tcp-pagemap-absent-2e40.img).
 */
class PagemapBoundsTest {
    @TempDir
    Path tmp;

    @Test
    void absentRunOutsideTheMemoryAreasIsCorruption() throws Exception {
        Path dir = TestImages.criuDir("tcp", tmp.resolve("in"));
        Path pm = dir.resolve("pagemap-28715.img");
        byte[] orig = Files.readAllBytes(pm);
        byte[] entry = PagemapEntry.newBuilder().setVaddr(0x7fff00000000L).setCompatNrPages(0).setFlags(Pagemap.PE_PARENT)
                .setNrPages(1L << 40).build().toByteArray();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(orig);
        b.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(entry.length).array());
        b.write(entry);
        Files.write(pm, b.toByteArray());
        Path out = tmp.resolve("x.ckpt");
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> Backends.load().named("criu").importImage(dir, TestImages.context(out)));
        assertTrue(e.getMessage().matches(".*/pagemap-28715\\.img: corrupt at offset " + orig.length
                + ": entry 12: 1099511627776 pages at 0x7fff00000000 lie outside the memory areas of mm-28715\\.img"), e.getMessage());
        assertFalse(Files.exists(out));
    }
}
