package dev.ckptkit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.spec.Feature;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Written without dedup, an image holds every non-zero page once per occurrence, no hashes, and reads back the same. */
class NoDedupTest {
    @TempDir
    Path tmp;

    static List<Long> seeds() {
        return Seeds.list(NoDedupTest.class, 10);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyNonZeroPageIsStoredAndReadsBack(long seed) throws Exception {
        Seeds.reproduceOnFailure(NoDedupTest.class, seed, () -> {
            var m = RandomImages.model(seed, 600);
            WriterOptions base = new WriterOptions(UUID.nameUUIDFromBytes(new byte[] {(byte) seed}), "t", "1",
                    seed % 2 == 0 ? 0 : 3, 1 + (int) (seed % 2));
            Path plain = tmp.resolve("plain.ckpt"), deduped = tmp.resolve("dedup.ckpt");
            RandomImages.write(m, plain, base.withDedup(false));
            RandomImages.write(m, deduped, base);
            long nonZero = m.pages().values().stream().flatMap(p -> p.values().stream())
                    .filter(c -> c != null && c != RandomImages.ABSENT && !java.util.Arrays.equals(c, new byte[4096])).count();
            try (CkptReader r = CkptReader.open(plain); CkptReader d = CkptReader.open(deduped)) {
                assertTrue(r.verify().ok(), () -> r.verify().problems().toString());
                RoundTripTest.checkPages(m, r.pages());
                assertNull(r.pages().hashAlgorithm());
                assertEquals(nonZero, r.pages().uniquePages());
                assertEquals(0, r.header().roCompat() & Feature.PAGE_DEDUP.mask());
                assertEquals("sha256", d.pages().hashAlgorithm());
                assertTrue(d.pages().uniquePages() <= nonZero);
                assertEquals(Feature.PAGE_DEDUP.mask(), d.header().roCompat() & Feature.PAGE_DEDUP.mask());
            }
            // each batch becomes its own block on whichever worker scans it: the bytes must not depend on that
            Path otherThreads = tmp.resolve("plain-threads.ckpt");
            RandomImages.write(m, otherThreads, base.withDedup(false).withThreads(base.threads() == 1 ? 3 : 1));
            assertEquals(-1, java.nio.file.Files.mismatch(plain, otherThreads), "output depends on the thread count");
        });
    }
}
