package dev.ckptkit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PageStore#fileOffset}: the file holds each page of an uncompressed block at the offset it gives, a compressed
 * block has none, and a corrupt block is refused before any offset into it is handed out.
 */
class PageFileOffsetTest {
    @TempDir
    Path tmp;

    static List<Long> seeds() {
        return Seeds.list(PageFileOffsetTest.class, 6);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void offsetsPointAtThePagesAndCorruptBlocksAreRefused(long seed) throws Exception {
        Seeds.reproduceOnFailure(PageFileOffsetTest.class, seed, () -> {
            var m = RandomImages.model(seed, 700);
            WriterOptions o = new WriterOptions(UUID.nameUUIDFromBytes(new byte[] {(byte) seed}), "t", "1", 0, 2);
            Path f = tmp.resolve("p" + seed + ".ckpt");
            RandomImages.write(m, f, o);
            byte[] file = Files.readAllBytes(f);
            long first = -1, some = -1;
            try (CkptReader r = CkptReader.open(f)) {
                PageStore ps = r.pages();
                for (long k = 0; k < ps.uniquePages(); k++) {
                    long off = ps.fileOffset(k);
                    assertTrue(off >= 0, "uncompressed image, page " + k);
                    byte[] want = ps.page(k).toArray(ValueLayout.JAVA_BYTE);
                    assertArrayEquals(want, java.util.Arrays.copyOfRange(file, (int) off, (int) off + 4096), "page " + k);
                    if (first < 0) first = off;
                    some = off;
                }
            }
            if (some < 0) return;  // no stored page in this model
            // the first block and the last: blocks after the first are read together with the frame before them
            for (long at : new long[] {first, some}) {
                Files.write(f, file);
                try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                    raf.seek(at + 17);
                    int b = raf.read();
                    raf.seek(at + 17);
                    raf.write(b ^ 0x40);
                }
                try (CkptReader r = CkptReader.open(f)) {
                    PageStore ps = r.pages();
                    CorruptImageException e = assertThrows(CorruptImageException.class, () -> {
                        for (long k = 0; k < ps.uniquePages(); k++) ps.fileOffset(k);
                    });
                    assertTrue(e.getMessage().contains("checksum mismatch in page-block"), e.getMessage());
                    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
                }
            }
            RandomImages.write(m, f, o.withZstd(3));
            file = Files.readAllBytes(f);
            try (CkptReader r = CkptReader.open(f)) {
                PageStore ps = r.pages();
                for (long k = 0; k < ps.uniquePages(); k++) {
                    long off = ps.fileOffset(k);  // -1 in a block zstd shrank; blocks it could not shrink stay plain
                    if (off < 0) continue;
                    assertArrayEquals(ps.page(k).toArray(ValueLayout.JAVA_BYTE),
                            java.util.Arrays.copyOfRange(file, (int) off, (int) off + 4096), "page " + k);
                }
            }
        });
    }
}
