package dev.ckptkit.backend.criu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.Backends;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.UnsupportedImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged real images fail with one message naming the file, the entry and the offset; never an OOM or a hang. */
class CorruptImagesTest {
    @TempDir
    Path tmp;

    private Path image() throws IOException {
        return TestImages.criuDir("memfile", tmp.resolve("in"));
    }

    private IOException importFails(Path dir) {
        return assertThrows(IOException.class, () -> Backends.load().named("criu").importImage(dir, TestImages.context(tmp.resolve("x.ckpt"))));
    }

    @Test
    void everyTruncationOfACoreImageIsReported() throws Exception {
        Path dir = image();
        Path core = dir.resolve("core-20439.img");
        byte[] full = Files.readAllBytes(core);
        for (int len = 5; len < full.length; len += 7) {
            Files.write(core, Arrays.copyOf(full, len));
            IOException e = importFails(dir);
            assertTrue(e instanceof CorruptImageException, len + ": " + e);
            String msg = e.getMessage();
            assertTrue(msg.contains("core-20439.img") && msg.contains("corrupt at offset") && (msg.contains("entry 0") || msg.contains("magic")), msg);
        }
    }

    @Test
    void truncatedPagemapEntryNamesItsIndexAndOffset() throws Exception {
        Path dir = image();
        Path pm = dir.resolve("pagemap-20439.img");
        byte[] b = Files.readAllBytes(pm);
        Files.write(pm, Arrays.copyOf(b, b.length - 3));
        String msg = importFails(dir).getMessage();
        assertTrue(msg.matches(".*pagemap-20439\\.img: corrupt at offset \\d+: entry \\d+: .*truncated.*"), msg);
    }

    @Test
    void hugeEntrySizeIsRejectedWithoutAllocating() throws Exception {
        Path dir = image();
        Path files = dir.resolve("files.img");
        byte[] b = Files.readAllBytes(files);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0xfffffff0);
        Files.write(files, b);
        String msg = importFails(dir).getMessage();
        assertTrue(msg.contains("files.img: corrupt at offset 8: entry 0: entry size 4294967280 runs past the end"), msg);
    }

    @Test
    void garbagePayloadsAreReportedNotThrownAsRuntimeErrors() throws Exception {
        Path dir = image();
        Path mm = dir.resolve("mm-20439.img");
        byte[] orig = Files.readAllBytes(mm);
        Random rnd = new Random(42);
        for (int i = 0; i < 40; i++) {
            byte[] b = orig.clone();
            for (int k = 0; k < 4; k++) b[8 + 4 + rnd.nextInt(b.length - 12)] = (byte) rnd.nextInt();
            Files.write(mm, b);
            try {
                Backends.load().named("criu").importImage(dir, TestImages.context(tmp.resolve("x.ckpt")));
            } catch (CorruptImageException e) {
                assertTrue(e.getMessage().contains("mm-20439.img"), e.getMessage());
            }
        }
    }

    @Test
    void truncatedPagesFileIsCorruption() throws Exception {
        Path dir = image();
        Path pages = dir.resolve("pages-1.img");
        byte[] b = Files.readAllBytes(pages);
        Files.write(pages, Arrays.copyOf(b, b.length - 4096));
        String msg = importFails(dir).getMessage();
        assertTrue(msg.contains("pages-1.img") && msg.contains("pagemap-20439.img lists 4603904 bytes") && msg.contains("truncated"), msg);
    }

    @Test
    void unsupportedImageVersionIsNamed() throws Exception {
        Path dir = image();
        Path inv = dir.resolve("inventory.img");
        byte[] b = Files.readAllBytes(inv);
        // entry 0 starts at offset 4 (inventory has one magic); its first field is img_version = 2 (tag 0x08, value 0x02)
        assertTrue(b[8] == 0x08 && b[9] == 0x02);
        b[9] = 0x03;
        Files.write(inv, b);
        IOException e = importFails(dir);
        assertTrue(e instanceof UnsupportedImageException, e.toString());
        assertTrue(e.getMessage().contains("CRIU image version 3 is not supported"), e.getMessage());
    }
}
