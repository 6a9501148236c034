package dev.ckptkit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.table.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Property: any random image, written with any codec and thread count, reads back exactly. */
class RoundTripTest {
    @TempDir
    Path tmp;

    static List<Long> seeds() {
        return Seeds.list(RoundTripTest.class, 40);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomImagesRoundTrip(long seed) throws Exception {
        Seeds.reproduceOnFailure(RoundTripTest.class, seed, () -> {
            var m = RandomImages.model(seed, 700);
            Path f = tmp.resolve("r.ckpt");
            RandomImages.write(m, f, (int) (seed % 3 == 0 ? 0 : seed % 5), 1 + (int) (seed % 3));
            try (CkptReader r = CkptReader.open(f)) {
                assertTrue(r.verify().ok(), () -> r.verify().problems().toString());
                assertEquals(m.processes(), r.table(Tables.PROCESSES));
                assertEquals(m.areas(), r.table(Tables.MEMORY_AREAS));
                assertEquals(m.fds(), r.table(Tables.FDS));
                assertEquals(m.files(), r.table(Tables.FILES));
                var threads = r.table(Tables.THREADS);
                assertEquals(m.threads().size(), threads.size());
                for (int i = 0; i < threads.size(); i++) {
                    assertEquals(m.threads().get(i).gpRegs(), threads.get(i).gpRegs());
                    assertArrayEquals(m.threads().get(i).fpRegs(), threads.get(i).fpRegs());
                }
                assertEquals(m.manifest().producer(), r.manifest().producer());
                assertEquals(m.manifest().labels(), r.manifest().labels());
                assertEquals(m.natives().keySet(), new java.util.LinkedHashSet<>(r.nativeNames()));
                for (var e : m.natives().entrySet()) assertArrayEquals(e.getValue(), r.nativeRecord(e.getKey()));
                for (var e : m.attachments().entrySet()) assertArrayEquals(e.getValue(), r.readAttachment(e.getKey()));
                checkPages(m, r.pages());
            }
        });
    }

    static void checkPages(RandomImages.Model m, PageStore ps) throws Exception {
        long expected = m.pages().values().stream().mapToLong(java.util.Map::size).sum();
        assertEquals(expected, ps.size());
        byte[] buf = new byte[4096];
        List<Long> order = new ArrayList<>();
        for (var pid : m.pages().keySet()) {
            for (var e : m.pages().get(pid).entrySet()) {
                long i = ps.find(pid, e.getKey());
                assertTrue(i >= 0, "page missing");
                order.add(i);
                boolean has = ps.read(pid, e.getKey(), buf, 0);
                if (e.getValue() == RandomImages.ABSENT) {
                    assertFalse(has);
                } else {
                    assertTrue(has);
                    assertArrayEquals(e.getValue() == null ? new byte[4096] : e.getValue(), buf);
                }
            }
        }
        for (int k = 1; k < order.size(); k++) assertEquals(order.get(k - 1) + 1, order.get(k), "index sorted by (pid, vaddr)");
        assertTrue(ps.find(12345678, 0) < 0);
    }

    @ParameterizedTest(name = "zstd {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 3})
    void outputIsDeterministicWhateverTheThreadCount(int zstd) throws Exception {
        var m = RandomImages.model(42, 2000);
        Path a = tmp.resolve("same.ckpt");
        RandomImages.write(m, a, zstd, 1);
        byte[] one = Files.readAllBytes(a);
        RandomImages.write(m, a, zstd, 4);
        assertArrayEquals(one, Files.readAllBytes(a));
    }

    @org.junit.jupiter.api.Test
    void duplicatePagesAreStoredOnce() throws Exception {
        var m = RandomImages.model(7, 1500);
        Path f = tmp.resolve("d.ckpt");
        RandomImages.write(m, f, 0, 2);
        long distinct = m.pages().values().stream().flatMap(p -> p.values().stream())
                .filter(b -> b != null && b != RandomImages.ABSENT).map(java.nio.ByteBuffer::wrap).distinct().count();
        try (CkptReader r = CkptReader.open(f)) {
            assertEquals(distinct, r.pages().uniquePages());
            assertEquals(distinct, r.manifest().counts().uniquePages());
        }
    }
}
