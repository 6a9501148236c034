package dev.ckptkit.backend.elfcore;

import static dev.ckptkit.backend.elfcore.CoreTestData.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.RandomImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cores that are not x86-64, truncated or damaged: a one-line error naming the file and offset, never a crash. */
class CorruptCoresTest {
    @TempDir
    Path tmp;
    byte[] good;
    Path small;

    /** A small real-shaped core: a random image (seed 7) exported by this backend. */
    @BeforeEach
    void smallCore() throws Exception {
        RandomImages.Model m = RandomImages.model(7, 3);
        Path img = tmp.resolve("r.ckpt");
        RandomImages.write(m, img, 0, 1);
        int pid = m.processes().getFirst().pid();
        small = tmp.resolve("small.core");
        try (CkptReader r = CkptReader.open(img)) {
            new ElfCoreBackend().exportImage(r, small, new ExportOptions(pid, java.util.Map.of()));
        }
        good = Files.readAllBytes(small);
        importCore(small, tmp.resolve("ok.ckpt"));  // the undamaged core imports
    }

    private CorruptImageException fails(byte[] bytes) throws Exception {
        Path bad = tmp.resolve("bad.core");
        Files.write(bad, bytes);
        return assertThrows(CorruptImageException.class, () -> importCore(bad, tmp.resolve("bad.ckpt")));
    }

    @Test
    void otherMachinesAndClassesAreRefused() throws Exception {
        byte[] arm = good.clone();
        arm[18] = (byte) 183;  // EM_AARCH64
        CorruptImageException e = fails(arm);
        assertTrue(e.getMessage().startsWith(tmp.resolve("bad.core") + ": corrupt at offset 18: ELF machine 183 is not x86-64"), e.getMessage());
        byte[] c32 = good.clone();
        c32[4] = 1;
        assertEquals(4, fails(c32).offset());
        byte[] be = good.clone();
        be[5] = 2;
        be[16] = 0;
        be[17] = 4;  // ET_CORE, big-endian
        Files.write(tmp.resolve("be.core"), be);
        assertTrue(new ElfCoreBackend().canImport(tmp.resolve("be.core")), "recognised, so the import can say why it refuses");
        assertEquals(5, fails(be).offset());
        assertFalse(fails(Arrays.copyOf(good, 10)).getMessage().contains("Exception"));
    }

    /** End of the notes: every byte before it is a header or note field, after it only page contents. */
    private int notesEnd() {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(good).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int ph = 64;  // the exporter writes PT_NOTE first
        assertEquals(Elf.PT_NOTE, bb.getInt(ph));
        return (int) (bb.getLong(ph + 8) + bb.getLong(ph + 32));
    }

    @Test
    void truncatedAtEveryLengthIsAnErrorWithTheOffset() throws Exception {
        // parsing alone finds every truncation (segments are bounds-checked when the file is opened)
        Path bad = tmp.resolve("cut.core");
        int checked = 0;
        for (int len = 0; len < good.length; len += len < notesEnd() + 64 ? 1 : 1024) {
            Files.write(bad, Arrays.copyOf(good, len));
            CorruptImageException e = assertThrows(CorruptImageException.class, () -> CoreFile.open(bad).close(), "length " + len);
            assertTrue(e.getMessage().startsWith(bad + ": corrupt at offset "), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            checked++;
        }
        assertTrue(checked > notesEnd());
    }

    @Test
    void flippedHeaderAndNoteBytesNeverCrash() throws Exception {
        Path bad = tmp.resolve("flip.core");
        int end = notesEnd();
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(good).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int notesAt = (int) bb.getLong(64 + 8);
        // every header byte; in the notes the low byte of every 4-byte word (sizes, types, counts are 4-aligned)
        for (int i = 0; i < end; i += i < notesAt ? 1 : 4) {
            byte[] b = good.clone();
            b[i] ^= (byte) 0xff;
            Files.write(bad, b);
            try {
                importCore(bad, tmp.resolve("flip.ckpt"));
            } catch (CorruptImageException expected) {
                assertTrue(expected.getMessage().startsWith(bad + ": corrupt at offset "), expected.getMessage());
            } catch (Exception | Error other) {
                throw new AssertionError("byte " + i + " flipped: " + other, other);
            }
        }
    }

    @Test
    void overlappingSegmentsAreCorrupt() throws Exception {
        // the second PT_LOAD gets the first one's address
        byte[] b = good.clone();
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int ph1 = 64 + 56, ph2 = 64 + 2 * 56;
        if (bb.getShort(56) < 3) return;
        bb.putLong(ph2 + 16, bb.getLong(ph1 + 16));
        assertTrue(fails(b).getMessage().contains("overlaps"));
    }
}
