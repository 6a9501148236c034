package dev.ckptkit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PageSink#addBlock}: blocks whose bytes the caller writes into the file itself, mixed at random with pages
 * added the usual way, read back as the same pages; a block whose CRC the source got wrong is caught by verify.
 */
class SplicedBlocksTest {
    @TempDir
    Path tmp;

    static List<Long> seeds() {
        return Seeds.list(SplicedBlocksTest.class, 8);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void splicedBlocksReadBackAmongOtherPages(long seed) throws Exception {
        Seeds.reproduceOnFailure(SplicedBlocksTest.class, seed, () -> {
            var m = RandomImages.model(seed, 900);
            Path f = tmp.resolve("s" + seed + ".ckpt");
            int blocks = write(m, f, new Random(seed), false);
            try (CkptReader r = CkptReader.open(f)) {
                assertTrue(r.verify().ok(), () -> r.verify().problems().toString());
                RoundTripTest.checkPages(m, r.pages());
            }
            if (blocks == 0) return;
            write(m, f, new Random(seed), true);  // the same, with one CRC off by one bit
            try (CkptReader r = CkptReader.open(f)) {
                CkptReader.VerifyReport v = r.verify();
                assertFalse(v.ok());
                assertTrue(v.problems().toString().contains("page-block"), v.problems().toString());
            }
        });
    }

    @Test
    void onlyAWriterThatStoresPagesAsTheyComeTakesBlocks() throws Exception {
        WriterOptions o = WriterOptions.defaults(UUID.randomUUID());
        for (WriterOptions opts : List.of(o, o.withDedup(false).withZstd(3))) {
            try (CkptWriter w = CkptWriter.create(tmp.resolve("n.ckpt"), opts)) {
                assertFalse(w.pages().takesBlocks());
                assertThrows(UnsupportedOperationException.class,
                        () -> w.pages().addBlock(1, List.of(new PageSink.Run(0x1000, 1)), 0, (fd, at, n) -> {}));
            }
        }
        try (CkptWriter w = CkptWriter.create(tmp.resolve("y.ckpt"), o.withDedup(false).withZstd(0))) {
            assertTrue(w.pages().takesBlocks());
            assertThrows(IllegalArgumentException.class,
                    () -> w.pages().addBlock(1, List.of(new PageSink.Run(0x1000, 257)), 0, (fd, at, n) -> {}));
            long half = Long.MAX_VALUE / 2 + 1;  // two such counts wrap around to a negative sum
            assertThrows(IllegalArgumentException.class, () -> w.pages().addBlock(1,
                    List.of(new PageSink.Run(0x1000, half), new PageSink.Run(0x2000, half)), 0, (fd, at, n) -> {}));
            assertThrows(IllegalArgumentException.class, () -> w.pages().addBlock(1, List.of(), 0, (fd, at, n) -> {}));
        }
    }

    /** Writes the model's pages, its non-zero ones partly as spliced blocks; returns how many blocks. */
    private static int write(RandomImages.Model m, Path out, Random r, boolean spoilOneCrc) throws IOException {
        WriterOptions o = WriterOptions.defaults(UUID.nameUUIDFromBytes(out.toString().getBytes())).withDedup(false).withZstd(0);
        int blocks = 0;
        try (CkptWriter w = CkptWriter.create(out, o)) {
            w.table(Tables.PROCESSES, m.processes());
            PageSink ps = w.pages();
            for (int pid : m.pages().keySet()) {
                var entries = new ArrayList<>(m.pages().get(pid).entrySet());
                for (int i = 0; i < entries.size(); ) {
                    byte[] c = entries.get(i).getValue();
                    boolean data = c != null && c != RandomImages.ABSENT;
                    if (!data || r.nextInt(3) == 0) {
                        if (c == RandomImages.ABSENT) ps.addAbsent(pid, entries.get(i).getKey(), PageSink.ABSENT);
                        else ps.add(pid, entries.get(i).getKey(), c == null ? new byte[4096] : c, 0);
                        i++;
                        continue;
                    }
                    // a block: up to 256 data pages from here on, in runs wherever addresses are consecutive
                    int want = 1 + r.nextInt(256);
                    List<PageSink.Run> runs = new ArrayList<>();
                    List<byte[]> bytes = new ArrayList<>();
                    while (i < entries.size() && bytes.size() < want) {
                        Map.Entry<Long, byte[]> e = entries.get(i);
                        if (e.getValue() == null || e.getValue() == RandomImages.ABSENT) break;
                        PageSink.Run last = runs.isEmpty() ? null : runs.getLast();
                        if (last != null && last.vaddr() + last.count() * 4096 == e.getKey()) {
                            runs.set(runs.size() - 1, new PageSink.Run(last.vaddr(), last.count() + 1));
                        } else {
                            runs.add(new PageSink.Run(e.getKey(), 1));
                        }
                        bytes.add(e.getValue());
                        i++;
                    }
                    CRC32C crc = new CRC32C();
                    bytes.forEach(crc::update);
                    int sum = (int) crc.getValue() ^ (spoilOneCrc && blocks == 0 ? 1 : 0);
                    ps.addBlock(pid, runs, sum, (fd, at, n) -> {
                        assertEquals(bytes.size() * 4096L, n);
                        // the descriptor is the writer's own: write through it as splice(2) would
                        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.WRITE)) {
                            long pos = at;
                            for (byte[] b : bytes) {
                                ByteBuffer bb = ByteBuffer.wrap(b);
                                while (bb.hasRemaining()) pos += ch.write(bb, pos);
                            }
                        }
                    });
                    blocks++;
                }
            }
            w.table(Tables.MEMORY_AREAS, m.areas());
            w.manifest(m.manifest());
            w.commit();
        }
        return blocks;
    }
}
