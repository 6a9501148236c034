package dev.ckptkit.io.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBehindTest {
    private static final int CHUNK = 1 << 20, CHUNKS = 40;

    @TempDir
    Path dir;

    @Test
    void dropsOnLinuxOnlyWithAPath() throws Exception {
        Path f = dir.resolve("a");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            try (WriteBehind wb = WriteBehind.of(ch, f)) {
                assertTrue(wb.drops());
            }
            try (WriteBehind wb = WriteBehind.of(ch, null)) {
                assertFalse(wb.drops());
            }
            try (WriteBehind wb = WriteBehind.of(ch, dir.resolve("gone"))) {
                assertFalse(wb.drops());
            }
        }
    }

    /**
     * Through ImageOutput, 40 MiB in unaligned pieces: the file reads back as written, and its first stretch,
     * synced in the background, has left the page cache while the unsynced end is still there.
     */
    @Test
    void syncedStretchesLeaveTheCacheAndTheContentStays() throws Exception {
        Path f = dir.resolve("c");
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        SplittableRandom rnd = new SplittableRandom(42);
        byte[] chunk = new byte[CHUNK];
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ImageOutput out = new ImageOutput(ch, f);
            for (int i = 0; i < CHUNKS; i++) {
                rnd.nextBytes(chunk);
                written.update(chunk);
                out.writeBytes(ByteBuffer.allocateDirect(CHUNK).put(chunk).flip());
                out.writeBytes(chunk, 0, 4095);
                written.update(chunk, 0, 4095);
            }
            out.close();
        }
        long size = (long) CHUNKS * (CHUNK + 4095);
        assertEquals(size, Files.size(f));
        try (FileChannel ch = FileChannel.open(f); Arena arena = Arena.ofConfined()) {
            assertFalse(ch.map(FileChannel.MapMode.READ_ONLY, 0, ImageOutput.SYNC_AHEAD_BYTES, arena).isLoaded(),
                    "the first synced stretch is still cached");
            assertTrue(ch.map(FileChannel.MapMode.READ_ONLY, size - CHUNK, CHUNK, arena).isLoaded(),
                    "the end, written after the last write-back, should still be cached");
        }
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(f)) {
            byte[] b = new byte[1 << 16];
            for (int n; (n = in.read(b)) > 0; ) read.update(b, 0, n);
        }
        assertArrayEquals(written.digest(), read.digest());
    }
}
