package dev.ckptkit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ckptkit.io.table.Tables;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every single flipped bit and every truncation is detected; damage is named with the file and an offset. */
class CorruptionTest {
    @TempDir
    Path tmp;
    Path good;
    byte[] bytes;

    @BeforeEach
    void writeSmallImage() throws IOException {
        good = tmp.resolve("good.ckpt");
        RandomImages.write(RandomImages.model(99, 3), good, 3, 1);
        bytes = Files.readAllBytes(good);
    }

    /** Opens and fully reads a file; returns the failure, or null if it read as sound. */
    static Exception readAll(Path p) {
        try (CkptReader r = CkptReader.open(p)) {
            CkptReader.VerifyReport v = r.verify();
            if (!v.ok()) return new CorruptImageException(p.toString(), -1, String.join("; ", v.problems()));
            for (var t : Tables.STORED) r.table(t);
            return null;
        } catch (CorruptImageException | UnsupportedImageException e) {
            return e;
        } catch (Exception e) {
            fail("unexpected " + e + " reading " + p, e);
            return e;
        }
    }

    /**
     * Offsets to damage: every byte of the header, of each section frame and trailing CRC, of the directory and tail,
     * plus a seeded random sample of payload bytes (the full sweep costs minutes; -Dtests.seed varies the sample).
     */
    private java.util.SortedSet<Integer> offsets(long seed) throws IOException {
        java.util.SortedSet<Integer> out = new java.util.TreeSet<>();
        for (int i = 0; i < CkptFormat.HEADER_LENGTH; i++) out.add(i);
        try (CkptReader r = CkptReader.open(good)) {
            for (Section s : r.sections()) {
                for (long i = s.info().offset(); i < s.info().payloadOffset(); i++) out.add((int) i);
                for (long i = s.info().end() - 4; i < s.info().end(); i++) out.add((int) i);
            }
            long dir = r.sections().isEmpty() ? 0 : r.sections().getLast().info().end();
            for (long i = dir; i < bytes.length; i++) out.add((int) i);
        }
        Random r = new Random(seed);
        for (int k = 0; k < 3000; k++) out.add(r.nextInt(bytes.length));
        return out;
    }

    @Test
    void everyFlippedBitIsDetected() throws IOException {
        Path bad = tmp.resolve("bad.ckpt");
        long seed = Seeds.list(CorruptionTest.class, 1).getFirst();
        Random r = new Random(seed);
        for (int i : offsets(seed)) {
            byte[] copy = bytes.clone();
            copy[i] ^= (byte) (1 << r.nextInt(8));
            Files.write(bad, copy);
            Exception e = readAll(bad);
            if (e == null) fail("flipped bit at offset " + i + " of " + bytes.length + " went unnoticed (seed " + seed + ")");
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        }
    }

    @Test
    void everyTruncationIsDetected() throws IOException {
        Path bad = tmp.resolve("short.ckpt");
        for (int len : offsets(Seeds.list(CorruptionTest.class, 2).getLast())) {
            Files.write(bad, java.util.Arrays.copyOf(bytes, len));
            Exception e = readAll(bad);
            if (e == null) fail("truncation to " + len + " bytes went unnoticed");
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        }
    }

    @Test
    void appendedBytesAreDetected() throws IOException {
        Path bad = tmp.resolve("long.ckpt");
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 7);
        Files.write(bad, longer);
        Exception e = readAll(bad);
        assertTrue(e != null && e.getMessage().contains("extended?"), String.valueOf(e));
    }

    @Test
    void wrongMagicSaysSo() throws IOException {
        Path bad = tmp.resolve("notckpt.bin");
        Files.writeString(bad, "hello, this is text and not a checkpoint at all; it is long enough to have a tail........................................................................................................................................");
        var e = assertThrows(CorruptImageException.class, () -> CkptReader.open(bad));
        assertTrue(e.getMessage().contains("wrong magic"), e.getMessage());
        assertEquals(0, e.offset());
    }

    /** Sets header bits and re-seals the header CRC, as a future writer would. */
    private Path withHeaderLong(int offset, long value) throws IOException {
        byte[] copy = bytes.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(offset, b.getLong(offset) | value);
        CRC32C c = new CRC32C();
        c.update(copy, 0, CkptFormat.HEADER_LENGTH - 4);
        b.putInt(CkptFormat.HEADER_LENGTH - 4, (int) c.getValue());
        // the whole-file CRC covers the header too: re-seal the tail as well
        int tail = copy.length - CkptFormat.TAIL_LENGTH;
        CRC32C f = new CRC32C();
        f.update(copy, 0, tail + 16);
        b.putInt(tail + 16, (int) f.getValue());
        CRC32C t = new CRC32C();
        t.update(copy, tail, 20);
        b.putInt(tail + 20, (int) t.getValue());
        Path p = tmp.resolve("feature-" + offset + "-" + Long.toHexString(value) + ".ckpt");
        Files.write(p, copy);
        return p;
    }

    @Test
    void unknownIncompatFeatureIsRefusedByName() throws IOException {
        Path p = withHeaderLong(32, 1L << 17);
        var e = assertThrows(UnsupportedImageException.class, () -> CkptReader.open(p));
        assertTrue(e.getMessage().contains("bit 17 (unknown)"), e.getMessage());
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void unknownCompatFeatureIsIgnored() throws IOException {
        Path p = withHeaderLong(16, 1L << 40);
        try (CkptReader r = CkptReader.open(p)) {
            assertTrue(r.verify().ok());
            assertTrue(r.header().rewritable());
            assertEquals(RandomImages.model(99, 3).processes(), r.table(Tables.PROCESSES));
        }
    }

    @Test
    void unknownRoCompatFeatureReadsButIsNotRewritable() throws IOException {
        Path p = withHeaderLong(24, 1L << 9);
        try (CkptReader r = CkptReader.open(p)) {
            assertTrue(r.verify().ok());
            assertFalse(r.header().rewritable());
        }
    }

    @Test
    void otherMajorVersionIsRefused() throws IOException {
        byte[] copy = bytes.clone();
        copy[8] = 2;
        Path p = tmp.resolve("v2.ckpt");
        Files.write(p, copy);
        var e = assertThrows(UnsupportedImageException.class, () -> CkptReader.open(p));
        assertTrue(e.getMessage().contains("format version 2." + dev.ckptkit.spec.CkptFormat.MINOR + " is not supported"), e.getMessage());
    }

    @Test
    void readingNeverModifiesTheInput() throws IOException {
        long mtime = Files.getLastModifiedTime(good).toMillis();
        readAll(good);
        assertArrayEquals(bytes, Files.readAllBytes(good));
        assertEquals(mtime, Files.getLastModifiedTime(good).toMillis());
    }

    static List<Long> hostileSeeds() {
        return Seeds.list(CorruptionTest.class, 200);
    }

    /** Random garbage with a valid header and tail shape: absurd lengths must give errors, not OOM or hangs. */
    @ParameterizedTest
    @MethodSource("hostileSeeds")
    void hostileDirectoriesFailCleanly(long seed) throws Exception {
        Seeds.reproduceOnFailure(CorruptionTest.class, seed, () -> {
            Random r = new Random(seed);
            byte[] copy = bytes.clone();
            int n = 1 + r.nextInt(8);
            for (int k = 0; k < n; k++) {
                int at = r.nextInt(copy.length);
                long v = switch (r.nextInt(4)) {
                    case 0 -> Long.MAX_VALUE;
                    case 1 -> -1L;
                    case 2 -> r.nextLong();
                    default -> 1L << r.nextInt(63);
                };
                ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
                if (at + 8 <= copy.length) b.putLong(at, v);
            }
            Path p = tmp.resolve("hostile.ckpt");
            Files.write(p, copy);
            readAll(p);  // any outcome but an unexpected exception, OOM or hang is fine
        });
    }
}
