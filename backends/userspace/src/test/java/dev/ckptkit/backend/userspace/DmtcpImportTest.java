package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.backend.Progress;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DMTCP v4 import on images written in DMTCP's layout by {@link DmtcpImages} (no real DMTCP on this machine). */
class DmtcpImportTest {
    private static final long SEED = 20261125L;
    private static final int PAGE = 4096;
    private final DmtcpBackend backend = new DmtcpBackend();

    private Path importOf(Path dir, String name, byte[] bytes) throws IOException {
        Path in = dir.resolve(name);
        Files.write(in, bytes);
        Path out = dir.resolve(name + ".ckpt");
        backend.importImage(in, new ImportContext(out, WriterOptions.defaults(WriterOptions.uuidFrom(name)), null, null, Progress.NONE));
        return out;
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void importsAreasPagesAndIdentity(boolean gzip, @TempDir Path dir) throws Exception {
        System.out.println("seed " + SEED);
        DmtcpImages d = DmtcpImages.typical(SEED);
        Path img = importOf(dir, "ckpt_sim_4242.dmtcp", gzip ? d.gzip() : d.plain());
        assertTrue(Backends.load().forInput(dir.resolve("ckpt_sim_4242.dmtcp")) instanceof DmtcpBackend, "recognised by sniffing");
        try (CkptReader r = CkptReader.open(img)) {
            assertTrue(r.verify().ok());
            assertEquals("userspace", r.manifest().style());
            assertEquals("dmtcp", r.manifest().producer().backend());
            ProcessRow p = r.table(Tables.PROCESSES).getFirst();
            assertEquals(4242, p.pid());
            assertEquals("sim", p.comm());
            assertEquals("/usr/bin/sim", p.exe());
            List<MemoryAreaRow> areas = r.table(Tables.MEMORY_AREAS);
            assertEquals(4, areas.size(), "child runs belong to their parent area");
            assertEquals("[heap]", areas.get(2).path());
            assertEquals("heap", areas.get(2).kind());
            assertEquals(8 * PAGE, areas.get(2).end() - areas.get(2).start());
            assertEquals(5, areas.get(0).prot());
            PageStore ps = r.pages();
            // data area: 1 page + 100 bytes in the image; heap: 2 + 2 runs; stack: 2; text and zero run: nothing
            assertEquals(2 + 4 + 2, ps.size());
            for (DmtcpImages.Area a : d.areas()) {
                if ((a.properties() & DmtcpFormat.PARENT_HEADER) != 0) continue;  // its runs follow
                if (a.data() == null) {
                    for (long v = a.addr(); v < a.addr() + a.size(); v += PAGE) assertTrue(ps.find(4242, v) < 0, "no page at 0x" + Long.toHexString(v));
                    continue;
                }
                byte[] got = new byte[PAGE];
                for (int off = 0; off < a.data().length; off += PAGE) {
                    assertTrue(ps.read(4242, a.addr() + off, got, 0));
                    int n = Math.min(PAGE, a.data().length - off);
                    assertArrayEquals(Arrays.copyOfRange(a.data(), off, off + n), Arrays.copyOf(got, n));
                    for (int i = n; i < PAGE; i++) assertEquals(0, got[i], "past mmapFileSize is zero");
                }
            }
        }
    }

    @Test
    void gzipAndPlainGiveTheSameImage(@TempDir Path dir) throws Exception {
        DmtcpImages d = DmtcpImages.typical(SEED);
        Path a = importOf(dir, "a.dmtcp", d.plain()), b = importOf(dir, "b.dmtcp", d.gzip());
        try (CkptReader ra = CkptReader.open(a); CkptReader rb = CkptReader.open(b)) {
            assertEquals(ra.table(Tables.MEMORY_AREAS), rb.table(Tables.MEMORY_AREAS));
            assertEquals(ra.pages().size(), rb.pages().size());
            for (long i = 0; i < ra.pages().uniquePages(); i++) assertArrayEquals(ra.pages().hash(i), rb.pages().hash(i));
        }
    }

    @Test
    void sniffingRejectsOtherFiles(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.bin");
        Files.write(f, new byte[8192]);
        assertFalse(backend.canImport(f));
        Files.write(f, new byte[] {0x1f, (byte) 0x8b, 1, 2});
        assertFalse(backend.canImport(f), "broken gzip is not an error, just not ours");
        assertFalse(backend.canImport(dir));
    }

    @Test
    void everyTruncationIsACorruptImageWithAnOffset(@TempDir Path dir) throws Exception {
        byte[] full = DmtcpImages.typical(SEED).plain();
        // every record boundary and a few bytes around each, plus points inside data
        for (int cut = 0; cut < full.length; cut += (cut % 4096 < 8 || cut % 4096 > 4088) ? 1 : 509) {
            byte[] part = Arrays.copyOf(full, cut);
            CorruptImageException e = assertThrows(CorruptImageException.class, () -> importOf(dir, "t.dmtcp", part), "cut at " + cut);
            assertTrue(e.getMessage().contains("t.dmtcp"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("t.dmtcp.ckpt")), "no output for a failed import");
        }
        byte[] gz = DmtcpImages.typical(SEED).gzip();
        byte[] part = Arrays.copyOf(gz, gz.length / 2);
        assertThrows(CorruptImageException.class, () -> importOf(dir, "g.dmtcp", part));
    }

    @Test
    void hostileFieldsAreRejected(@TempDir Path dir) throws Exception {
        DmtcpImages d = DmtcpImages.typical(SEED);
        byte[] good = d.plain();
        int firstArea = 2 * DmtcpFormat.HEADER;

        byte[] sig = good.clone();
        sig[20] = 'X';
        assertTrue(assertThrows(CorruptImageException.class, () -> importOf(dir, "s.dmtcp", sig)).getMessage().contains("not a DMTCP v4 image"));

        byte[] huge = good.clone();  // size (and end) claim 2^62 bytes: an error, not an allocation
        ByteBuffer hb = ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN);
        hb.putLong(firstArea + DmtcpFormat.AREA_SIZE, 1L << 62).putLong(firstArea + DmtcpFormat.AREA_END, hb.getLong(firstArea) + (1L << 62));
        hb.putLong(firstArea + DmtcpFormat.AREA_PROPERTIES, 0);
        assertThrows(CorruptImageException.class, () -> importOf(dir, "h.dmtcp", huge));

        byte[] orphan = good.clone();  // a zero-page run with no parent area
        ByteBuffer.wrap(orphan).order(ByteOrder.LITTLE_ENDIAN).putLong(firstArea + DmtcpFormat.AREA_PROPERTIES, DmtcpFormat.CHILD_HEADER);
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> importOf(dir, "o.dmtcp", orphan));
        assertTrue(e.getMessage().contains("outside its parent"), e.getMessage());

        byte[] headers = good.clone();
        headers[DmtcpFormat.HEADER + DmtcpFormat.OFF_PID] ^= 1;
        assertThrows(CorruptImageException.class, () -> importOf(dir, "d.dmtcp", headers));
    }

    @Test
    void dmtcpImagesCannotBeRestartedByTheLoaderAndSaySo(@TempDir Path dir) throws Exception {
        Path img = importOf(dir, "r.dmtcp", DmtcpImages.typical(SEED).plain());
        try (CkptReader r = CkptReader.open(img)) {
            IOException e = assertThrows(IOException.class, () -> new RestorePlan(null).write(r, 4242, dir.resolve("plan")));
            assertTrue(e.getMessage().contains("no threads with registers"), e.getMessage());
        }
    }
}
