package dev.ckptkit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The CRC32C combination gives the checksum of the concatenation, whatever the split. */
class ChecksumsTest {
    static List<Long> seeds() {
        return Seeds.list(ChecksumsTest.class, 20);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void combiningTheChecksumsOfPiecesGivesTheChecksumOfTheWhole(long seed) throws Exception {
        Seeds.reproduceOnFailure(ChecksumsTest.class, seed, () -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            byte[] all = new byte[rnd.nextInt(1, 3 << 20)];
            rnd.nextBytes(all);
            int combined = 0;  // the CRC32C of nothing
            for (int at = 0; at < all.length; ) {
                // pieces of every size: empty, a byte, pages, megabytes
                int n = Math.min(all.length - at, switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextInt(2);
                    case 1 -> rnd.nextInt(100);
                    case 2 -> 4096 * rnd.nextInt(1, 64);
                    default -> rnd.nextInt(1 << 21);
                });
                combined = Checksums.crc32cCombine(combined, Checksums.crc32c(ByteBuffer.wrap(all, at, n)), n);
                at += n;
            }
            assertEquals(Checksums.crc32c(ByteBuffer.wrap(all)), combined);
        });
    }

    @Test
    void knownValue() {
        // RFC 3720's check value for "123456789" is 0xE3069283; split in two it combines to the same
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        int a = Checksums.crc32c(ByteBuffer.wrap(b, 0, 4)), c = Checksums.crc32c(ByteBuffer.wrap(b, 4, 5));
        assertEquals(0xE3069283, Checksums.crc32c(ByteBuffer.wrap(b)));
        assertEquals(0xE3069283, Checksums.crc32cCombine(a, c, 5));
        assertEquals(a, Checksums.crc32cCombine(a, 0, 0));
    }
}
