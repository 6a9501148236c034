package dev.ckptkit.backend.criu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.backend.criu.proto.PagemapEntry;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageSink;
import dev.ckptkit.io.PageStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images this machine cannot produce (its kernel has no soft-dirty tracking, so no incremental dumps), made from a
 * real one: a pagemap run moved to the parent image with a {@code parent} link, and files of unknown kinds.
 */
class IncrementalAndUnknownFilesTest {
    @TempDir
    Path tmp;

    private Path roundTrip(Path dir, Path ckpt) throws IOException {
        Backend b = Backends.load().named("criu");
        b.importImage(dir, TestImages.context(ckpt));
        Path out = tmp.resolve("out");
        try (CkptReader r = CkptReader.open(ckpt)) {
            b.exportImage(r, out, ExportOptions.none());
        }
        return out;
    }

    /** Rewrites entry {@code index} of an image file, keeping every other byte. */
    private static byte[] replaceEntry(String name, byte[] file, int index, byte[] payload) throws IOException {
        CriuImage img = ImageParser.parse(name, ByteBuffer.wrap(file));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int first = img.entries().getFirst().offset();
        out.write(file, 0, first);
        for (CriuImage.Entry e : img.entries()) {
            if (e.index() == index) {
                out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(payload.length).array());
                out.write(payload);
            } else {
                out.write(file, e.offset(), (int) (e.end() - e.offset()));
            }
        }
        return out.toByteArray();
    }

    private static PagemapEntry entry(Path pagemap, int index) throws IOException {
        CriuImage img = ImageParser.parse("pagemap", ByteBuffer.wrap(Files.readAllBytes(pagemap)));
        return img.decode(img.entries().get(index), PagemapEntry.parser());
    }

    private static void rewrite(Path pagemap, int index, PagemapEntry e) throws IOException {
        Files.write(pagemap, replaceEntry("pagemap", Files.readAllBytes(pagemap), index, e.toByteArray()));
    }

    @Test
    void inParentPagesAreAbsentAndTheParentLinkIsKept() throws Exception {
        Path dir = TestImages.criuDir("memfile", tmp.resolve("in"));
        Path pm = dir.resolve("pagemap-20439.img");
        // entry 2 is 2 present pages at 0x562440ac3000, after 1 present page: its data is at 4096..12288 of pages-1
        PagemapEntry e2 = entry(pm, 2);
        assertEquals(0x562440ac3000L, e2.getVaddr());
        assertEquals(2, e2.getNrPages());
        rewrite(pm, 2, e2.toBuilder().setFlags(Pagemap.PE_PARENT).build());
        byte[] pages = Files.readAllBytes(dir.resolve("pages-1.img"));
        byte[] cut = new byte[pages.length - 8192];
        System.arraycopy(pages, 0, cut, 0, 4096);
        System.arraycopy(pages, 12288, cut, 4096, pages.length - 12288);
        Files.write(dir.resolve("pages-1.img"), cut);
        Files.createSymbolicLink(dir.resolve("parent"), Path.of("../prev-dump"));

        Path ckpt = tmp.resolve("inc.ckpt");
        Path out = roundTrip(dir, ckpt);
        try (CkptReader r = CkptReader.open(ckpt)) {
            PageStore s = r.pages();
            PageStore.Entry a = s.entry(s.find(20439, 0x562440ac3000L));
            PageStore.Entry b = s.entry(s.find(20439, 0x562440ac4000L));
            assertTrue(a.absent() && b.absent(), a + " " + b);
            assertEquals(PageSink.ABSENT, a.flags() & PageSink.ABSENT);
            assertTrue(r.pages().read(20439, 0x562440ac1000L, new byte[4096], 0), "present pages still have data");
            assertEquals(2, r.manifest().counts().absentPages());
        }
        assertEquals("../prev-dump", Files.readSymbolicLink(out.resolve("parent")).toString());
        TestImages.assertSameFiles(dir, out);
    }

    @Test
    void unknownFilesAndMagicsAreKeptByteForByte() throws Exception {
        Path dir = TestImages.criuDir("tcp", tmp.resolve("in"));
        Files.writeString(dir.resolve("dump.log"), "(00.000001) a criu log left in the image dir\n");
        // a type magic from a future CRIU: kept, its framing not guessed
        ByteBuffer future = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).putInt(ImageKind.IMG_COMMON).putInt(0x12345678);
        for (int i = 8; i < 40; i++) future.put(i, (byte) (i * 7));
        Files.write(dir.resolve("future-1.img"), future.array());
        Files.createDirectories(dir.resolve("sub"));
        Files.write(dir.resolve("sub/extra.bin"), new byte[] {0, 1, 2, 3});
        Files.write(dir.resolve("empty.img"), new byte[0]);
        Path out = roundTrip(dir, tmp.resolve("u.ckpt"));
        TestImages.assertSameFiles(dir, out);
    }

    /**
     * A pagemap with fields this code does not know (as a newer CRIU writes for compressed pages) whose pages file
     * no longer matches the page count: its pages cannot be interpreted, so the pages file is kept verbatim.
     */
    @Test
    void pagesOfANewerFormatAreKeptVerbatim() throws Exception {
        Path dir = TestImages.criuDir("tcp", tmp.resolve("in"));
        Path pm = dir.resolve("pagemap-28715.img");
        // field 6 (varint 1234): unknown to CRIU 4.2's pagemap_entry, like the block sizes of compressed pages
        rewrite(pm, 1, entry(pm, 1).toBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                .addField(6, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(1234).build()).build()).build());
        byte[] pages = Files.readAllBytes(dir.resolve("pages-1.img"));
        Files.write(dir.resolve("pages-1.img"), Arrays.copyOf(pages, pages.length - 1000)); // "compressed"
        Path ckpt = tmp.resolve("newer.ckpt");
        Path out = roundTrip(dir, ckpt);
        try (CkptReader r = CkptReader.open(ckpt)) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("pages-1.img")), r.nativeRecord("criu/pages-1.img"));
            assertEquals(0, r.pages().size(), "no pages in the page store");
        }
        TestImages.assertSameFiles(dir, out);
    }

    @Test
    void criuNotFoundSaysHowToGetOne() {
        IOException e = assertThrows(IOException.class, () -> Criu.locate(List.of("/nonexistent/criu")));
        assertTrue(e.getMessage().startsWith("criu not found: "), e.getMessage());
        assertTrue(e.getMessage().contains("CKPT_CRIU") && e.getMessage().contains("criu-setup.sh"), e.getMessage());
    }

    /** Without CRIU records a directory is made from the tables (TableToCriuTest); a container archive is refused. */
    @Test
    void archiveExportOfAnImageWithoutCriuRecordsIsRefused() throws Exception {
        Path f = tmp.resolve("r.ckpt");
        dev.ckptkit.io.RandomImages.write(dev.ckptkit.io.RandomImages.model(7, 20), f, 0, 1);
        try (CkptReader r = CkptReader.open(f)) {
            IOException e = assertThrows(IOException.class, () -> Backends.load().named("criu").exportImage(r, tmp.resolve("o.tar.gz"), ExportOptions.none()));
            assertTrue(e.getMessage().contains("has no CRIU records"), e.getMessage());
            assertTrue(Arrays.asList(tmp.toFile().list()).stream().noneMatch(n -> n.startsWith("o")), "nothing left behind");
        }
    }
}
