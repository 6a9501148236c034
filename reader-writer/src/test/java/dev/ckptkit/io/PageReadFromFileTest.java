package dev.ckptkit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pages read by the writer straight from a file (as backends do with a CRIU pages file) give the very bytes that
 * adding them one by one gives, across batch boundaries, codecs and thread counts.
 */
class PageReadFromFileTest {
    @TempDir
    Path tmp;

    static List<Long> seeds() {
        return Seeds.list(PageReadFromFileTest.class, 12);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void sameBytesAsPageByPage(long seed) throws Exception {
        Seeds.reproduceOnFailure(PageReadFromFileTest.class, seed, () -> {
            var m = RandomImages.model(seed, 900);
            int level = seed % 2 == 0 ? 0 : 3;
            int threads = 1 + (int) (seed % 3);
            WriterOptions o = new WriterOptions(UUID.nameUUIDFromBytes(new byte[] {(byte) seed}), "t", "1", level, threads);
            Path byPage = tmp.resolve("by-page.ckpt");
            RandomImages.write(m, byPage, o);

            Path fromFile = tmp.resolve("from-file.ckpt");
            try (CkptWriter w = CkptWriter.create(fromFile, o)) {
                // the order RandomImages.write uses, so that the files can be compared byte for byte
                w.table(dev.ckptkit.io.table.Tables.PROCESSES, m.processes());
                w.table(dev.ckptkit.io.table.Tables.THREADS, m.threads());
                for (var e : m.natives().entrySet()) w.nativeRecord(e.getKey(), e.getValue());
                for (var pid : m.pages().descendingKeySet()) writeRunsFromFile(w.pages(), pid, m.pages().get(pid));
                w.table(dev.ckptkit.io.table.Tables.MEMORY_AREAS, m.areas());
                w.table(dev.ckptkit.io.table.Tables.FILES, m.files());
                w.table(dev.ckptkit.io.table.Tables.FDS, m.fds());
                for (var e : m.attachments().entrySet()) w.attachment(e.getKey(), new java.io.ByteArrayInputStream(e.getValue()));
                w.manifest(m.manifest());
                w.commit();
            }
            assertEquals(-1, Files.mismatch(byPage, fromFile));
            try (CkptReader r = CkptReader.open(fromFile)) {
                assertTrue(r.verify().ok());
                RoundTripTest.checkPages(m, r.pages());
            }
        });
    }

    /** Present pages go through a file, a run of consecutive addresses per call; absent ones page by page. */
    private void writeRunsFromFile(PageSink sink, int pid, Map<Long, byte[]> pages) throws Exception {
        Path file = tmp.resolve("pages-" + pid + ".img");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        long runStart = -1, runOffset = 0, runPages = 0, expectNext = -1;
        List<long[]> runs = new java.util.ArrayList<>();
        for (var p : pages.entrySet()) {
            if (p.getValue() == RandomImages.ABSENT) {
                if (runPages > 0) runs.add(new long[] {runStart, runOffset, runPages});
                runs.add(new long[] {p.getKey(), -1, 1});
                runPages = 0;
                continue;
            }
            if (runPages == 0 || p.getKey() != expectNext) {
                if (runPages > 0) runs.add(new long[] {runStart, runOffset, runPages});
                runStart = p.getKey();
                runOffset = all.size();
                runPages = 0;
            }
            all.write(p.getValue() == null ? new byte[4096] : p.getValue());
            runPages++;
            expectNext = p.getKey() + 4096;
        }
        if (runPages > 0) runs.add(new long[] {runStart, runOffset, runPages});
        Files.write(file, all.toByteArray());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (long[] run : runs) {
                if (run[1] < 0) sink.addAbsent(pid, run[0], PageSink.ABSENT);
                else sink.addFrom(pid, run[0], run[2], ch, run[1]);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aShortFileIsAnEofNamingTheOffset(long seed) throws Exception {
        Path file = tmp.resolve("short.img");
        Files.write(file, new byte[4096 * 3 + 100]);
        Path out = tmp.resolve("x.ckpt");
        try (CkptWriter w = CkptWriter.create(out, WriterOptions.defaults(UUID.randomUUID()));
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            EOFException e = assertThrows(EOFException.class, () -> w.pages().addFrom(1, 0x10000, 4 + seed % 300, ch, 0));
            assertTrue(e.getMessage().contains("offset " + (4096 * 3 + 100)), e.getMessage());
        }
        assertFalse(Files.exists(out));
        assertEquals(4096 * 3 + 100, Files.size(file));
    }
}
