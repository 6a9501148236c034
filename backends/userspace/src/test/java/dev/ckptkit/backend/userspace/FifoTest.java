package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.PipeRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process holding both ends of a FIFO as two descriptors, with sequence numbers buffered in it
 * (src/test/c/fifo.c), is checkpointed, killed and restarted: the buffered numbers are in the image, the reopened
 * read end does not wait for a writer, and the program reads every number exactly once and in order.
 */
class FifoTest {
    private static final Duration T = Duration.ofSeconds(30);
    static NativeTools tools;
    static Path fifo;

    @BeforeAll
    static void build() throws Exception {
        tools = NativeTools.extract();
        fifo = Workloads.compile("fifo");
    }

    /** OUTDIR/status: ticks last-written last-read in-order reads. */
    record Status(long ticks, long written, long last, boolean inOrder, long reads) {
        static Status read(Path dir) throws IOException {
            long[] v = Workloads.fields(dir.resolve("status"), 5);
            return v == null ? null : new Status(v[0], v[1], v[2], v[3] == 1, v[4]);
        }
    }

    @Test
    void numbersBufferedInAFifoSurviveKillAndRestart(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("fifo.ckpt");
        Process p = null;
        Restarter.Restarted rs = null;
        try {
            p = Workloads.launch(tools, dir, fifo, dir.toString());
            Workloads.awaitSocket(p.pid(), T);
            Workloads.await(T, () -> Status.read(dir), s -> s.reads() >= 5 && s.written() > s.last() + 10, "numbers in the FIFO");
            new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), image, true, List.of(), Map.of(), null, null));
            assertTrue(Workloads.awaitExit(p.toHandle(), T), "--kill ends it");
            Status atKill = Status.read(dir);
            long inFlight = atKill.written() - atKill.last();
            assertTrue(inFlight > 10, "numbers buffered at checkpoint time: " + atKill);

            try (CkptReader img = CkptReader.open(image)) {
                List<PipeRow> rows = img.table(Tables.PIPES).stream().filter(x -> dir.resolve("fifo").toString().equals(x.path())).toList();
                assertEquals(2, rows.size(), "a row for each end: " + rows);
                for (PipeRow x : rows) assertEquals(inFlight * 8, x.buffered(), "both ends say what the FIFO held");
                ByteBuffer b = ByteBuffer.wrap(img.readAttachment(StreamImporter.pipeDataAttachment(rows.getFirst().pipeId())))
                        .order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(atKill.last() + 1, b.getLong(0), "first buffered number follows the last read");
                assertEquals(atKill.written(), b.getLong(b.capacity() - 8), "last buffered number is the last written");
            }

            rs = new Restarter(tools).restart(new Restarter.Request(image, null, Map.of(), List.of(), true, T));
            Status after = Workloads.await(T, () -> Status.read(dir), s -> s.reads() > atKill.reads() + inFlight + 3, "reads after restart");
            assertTrue(after.inOrder(), "every number arrived exactly once and in order: " + after);
            assertTrue(after.last() > atKill.written(), "it read past the buffered numbers into new ones: " + after);
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
            if (rs != null) Workloads.kill(rs.process().toHandle());
        }
    }
}
