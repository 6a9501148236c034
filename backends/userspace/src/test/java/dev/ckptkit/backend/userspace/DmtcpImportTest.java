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
            assertEquals(5, areas.size(), "child runs belong to their parent area");
            assertEquals("[heap]", areas.get(2).path());
            assertEquals("heap", areas.get(2).kind());
            assertEquals(8 * PAGE, areas.get(2).end() - areas.get(2).start());
            assertEquals(5, areas.get(0).prot());
            assertEquals(0x4000, areas.get(1).pgoff());
            assertEquals(4242, p.pgid());
            PageStore ps = r.pages();
            // text 4; read-only mapping past EOF: 1 page + 100 bytes in the image; heap 2 + 2 runs; stack 3;
            // the heap's zero run and the nscd area: nothing
            assertEquals(4 + 2 + 4 + 3, ps.size());
            assertPagesAreTheImages(d, ps);
        }
    }

    /** Every data byte the image carried is in the page store at its address; zero runs and parents left no page. */
    private static void assertPagesAreTheImages(DmtcpImages d, PageStore ps) throws IOException {
        for (DmtcpImages.Area a : d.areas()) {
            if ((a.properties() & DmtcpImages.PARENT) != 0) continue;  // its runs follow
            if (a.data() == null) {
                for (long v = a.addr(); v < a.addr() + a.size(); v += PAGE) assertTrue(ps.find(d.pid, v) < 0, "no page at 0x" + Long.toHexString(v));
                continue;
            }
            byte[] got = new byte[PAGE];
            for (int off = 0; off < a.data().length; off += PAGE) {
                assertTrue(ps.read(d.pid, a.addr() + off, got, 0));
                int n = Math.min(PAGE, a.data().length - off);
                assertArrayEquals(Arrays.copyOfRange(a.data(), off, off + n), Arrays.copyOf(got, n));
                for (int i = n; i < PAGE; i++) assertEquals(0, got[i], "past mmapFileSize is zero");
            }
        }
    }

    @Test
    void runsAtDmtcpsOneMibGranularity(@TempDir Path dir) throws Exception {
        // writeckpt cuts an anonymous area of 1 MiB or more into 1 MiB zero/non-zero runs, the last one shorter
        int mib = (1 << 20) / PAGE;
        DmtcpImages d = new DmtcpImages(SEED).anonymous(0x7f00_0000_0000L, 3, "", mib, 2 * mib, 37);
        Path img = importOf(dir, "mib.dmtcp", d.gzip());
        try (CkptReader r = CkptReader.open(img)) {
            assertEquals(1, r.table(Tables.MEMORY_AREAS).size());
            assertEquals((3L * mib + 37) * PAGE, r.table(Tables.MEMORY_AREAS).getFirst().end() - 0x7f00_0000_0000L);
            assertEquals(mib + 37, r.pages().size());
            assertPagesAreTheImages(d, r.pages());
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
        int firstArea = 2 * DmtcpImages.RECORD;

        byte[] sig = good.clone();
        sig[20] = 'X';
        assertTrue(assertThrows(CorruptImageException.class, () -> importOf(dir, "s.dmtcp", sig)).getMessage().contains("not a DMTCP v4 image"));

        byte[] huge = good.clone();  // size (and end) claim 2^62 bytes: an error, not an allocation
        ByteBuffer hb = ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN);
        hb.putLong(firstArea + DmtcpImages.AREA.at("size"), 1L << 62).putLong(firstArea + DmtcpImages.AREA.at("endAddr"), hb.getLong(firstArea) + (1L << 62));
        hb.putLong(firstArea + DmtcpImages.AREA.at("mmapFileSize"), 0);
        assertThrows(CorruptImageException.class, () -> importOf(dir, "h.dmtcp", huge));

        byte[] orphan = good.clone();  // a zero-page run with no parent area
        ByteBuffer.wrap(orphan).order(ByteOrder.LITTLE_ENDIAN).putLong(firstArea + DmtcpImages.AREA.at("properties"), DmtcpImages.CHILD);
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> importOf(dir, "o.dmtcp", orphan));
        assertTrue(e.getMessage().contains("outside its parent"), e.getMessage());

        byte[] headers = good.clone();
        headers[DmtcpImages.RECORD + DmtcpImages.HEADER.at("pid")] ^= 1;
        assertThrows(CorruptImageException.class, () -> importOf(dir, "d.dmtcp", headers));
    }

    @Test
    void importerConstantsMatchTheCitedStructLayout() {
        // DmtcpImages lays the C declarations out itself; the importer's constants must agree with it
        var h = DmtcpImages.HEADER;
        assertEquals(24, DmtcpImages.UNIQUE_PID);
        assertEquals(2304, h.size, "DmtcpCkptHeader fields end before its 4096-byte padding");
        assertEquals(DmtcpImages.RECORD, DmtcpFormat.HEADER);
        assertEquals(h.at("upid"), DmtcpFormat.OFF_UPID);
        assertEquals(h.at("pid"), DmtcpFormat.OFF_PID);
        assertEquals(h.at("ppid"), DmtcpFormat.OFF_PPID);
        assertEquals(h.at("sid"), DmtcpFormat.OFF_SID);
        assertEquals(h.at("gid"), DmtcpFormat.OFF_GID);
        assertEquals(h.at("fgid"), DmtcpFormat.OFF_FGID);
        assertEquals(h.at("numPeers"), DmtcpFormat.OFF_NUM_PEERS);
        assertEquals(h.at("elfType"), DmtcpFormat.OFF_ELF_TYPE);
        assertEquals(h.at("restoreBuf"), DmtcpFormat.OFF_RESTORE_BUF);
        assertEquals(h.at("vdso"), DmtcpFormat.OFF_VDSO);
        assertEquals(h.at("vvar"), DmtcpFormat.OFF_VVAR);
        assertEquals(h.at("savedBrk"), DmtcpFormat.OFF_SAVED_BRK);
        assertEquals(h.at("endOfStack"), DmtcpFormat.OFF_END_OF_STACK);
        assertEquals(h.at("postRestartAddr"), DmtcpFormat.OFF_POST_RESTART);
        assertEquals(h.at("procname"), DmtcpFormat.OFF_PROCNAME);
        assertEquals(h.at("procSelfExe"), DmtcpFormat.OFF_EXE);
        var a = DmtcpImages.AREA;
        assertEquals(DmtcpImages.RECORD, DmtcpFormat.AREA);
        assertEquals(List.of(a.at("addr"), a.at("endAddr"), a.at("size"), a.at("offset"), a.at("prot"), a.at("flags"), a.at("devmajor"),
                        a.at("devminor"), a.at("inodenum"), a.at("mmapFileSize"), a.at("properties"), a.at("name")),
                List.of(DmtcpFormat.AREA_ADDR, DmtcpFormat.AREA_END, DmtcpFormat.AREA_SIZE, DmtcpFormat.AREA_OFFSET, DmtcpFormat.AREA_PROT,
                        DmtcpFormat.AREA_FLAGS, DmtcpFormat.AREA_DEVMAJOR, DmtcpFormat.AREA_DEVMINOR, DmtcpFormat.AREA_INODE,
                        DmtcpFormat.AREA_FILE_SIZE, DmtcpFormat.AREA_PROPERTIES, DmtcpFormat.AREA_NAME));
        assertEquals(List.of(DmtcpImages.ZERO_PAGE, DmtcpImages.PARENT, DmtcpImages.CHILD),
                List.of(DmtcpFormat.ZERO_PAGE, DmtcpFormat.PARENT_HEADER, DmtcpFormat.CHILD_HEADER));
    }

    @Test
    void otherDmtcpVersionsAreRefusedInOneLine(@TempDir Path dir) throws Exception {
        for (String sig : List.of("DMTCP_CHECKPOINT_IMAGE_v2.0\n", "DMTCP_CHECKPOINT_IMAGE_v1.10\n", "DMTCP_CHECKPOINT_IMAGE_v5.0\n")) {
            DmtcpImages d = DmtcpImages.typical(SEED);
            d.signature = sig;
            Path f = dir.resolve("v.dmtcp");
            Files.write(f, d.gzip());
            assertTrue(backend.canImport(f), "claimed, so the user sees why it is refused");
            CorruptImageException e = assertThrows(CorruptImageException.class, () -> importOf(dir, "v.dmtcp", d.plain()));
            String version = sig.substring("DMTCP_CHECKPOINT_IMAGE_".length()).strip();
            assertTrue(e.getMessage().contains("v.dmtcp: corrupt at offset 0") && e.getMessage().contains(version + " ")
                    && e.getMessage().contains("not supported") && !e.getMessage().contains("\n"), e.getMessage());
            assertEquals(!version.equals("v5.0"), e.getMessage().contains("DMTCP 3.x or older"), e.getMessage());
        }
    }

    /** Imports {@code d} expecting a CorruptImageException at {@code offset} whose message contains {@code what}. */
    private void assertCorrupt(Path dir, DmtcpImages d, long offset, String what) throws IOException {
        byte[] bytes = d.plain();
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> importOf(dir, "bad.dmtcp", bytes));
        assertTrue(e.getMessage().startsWith(dir.resolve("bad.dmtcp") + ": corrupt at offset " + offset + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
        assertFalse(Files.exists(dir.resolve("bad.dmtcp.ckpt")));
    }

    @Test
    void inconsistentAreasNameTheRecordOffset(@TempDir Path dir) throws Exception {
        long base = 0x40_0000L, areaAt = 2L * DmtcpImages.RECORD;
        int anon = DmtcpImages.MAP_PRIVATE | DmtcpImages.MAP_ANONYMOUS;

        DmtcpImages overlap = new DmtcpImages(SEED).file(base, 2, 5, 0, 1 << 20, "/bin/a").file(base + PAGE, 2, 5, 0, 1 << 20, "/bin/b");
        assertCorrupt(dir, overlap, areaAt + PAGE + 2 * PAGE, "overlaps the previous one");

        DmtcpImages gap = new DmtcpImages(SEED);  // a run that skips a page of its parent
        gap.record(new DmtcpImages.Area(base, 4 * PAGE, 3, anon, 0, 0, 0, DmtcpImages.PARENT, "", null));
        gap.record(new DmtcpImages.Area(base + PAGE, 3 * PAGE, 3, anon, 0, 0, 0, DmtcpImages.CHILD | DmtcpImages.ZERO_PAGE, "", null));
        assertCorrupt(dir, gap, areaAt + PAGE, "outside its parent area");

        DmtcpImages past = new DmtcpImages(SEED);  // a run reaching past its parent's end
        past.record(new DmtcpImages.Area(base, 2 * PAGE, 3, anon, 0, 0, 0, DmtcpImages.PARENT, "", null));
        past.record(new DmtcpImages.Area(base, 3 * PAGE, 3, anon, 0, 0, 0, DmtcpImages.CHILD | DmtcpImages.ZERO_PAGE, "", null));
        assertCorrupt(dir, past, areaAt + PAGE, "outside its parent area");

        DmtcpImages short1 = new DmtcpImages(SEED).anonymous(base, 3, "", 1, 1).file(base + 4 * PAGE, 1, 5, 0, 1 << 20, "/bin/c");
        short1.areas().remove(2);  // the zero run: the next area starts while the parent is half covered
        assertCorrupt(dir, short1, areaAt + 2 * PAGE + PAGE, "runs stop at 0x401000");

        DmtcpImages unfinished = new DmtcpImages(SEED).anonymous(base, 3, "", 1, 1);
        unfinished.areas().remove(2);  // ... or the image ends
        assertCorrupt(dir, unfinished, areaAt + 2 * PAGE + PAGE, "image ends with area 0x400000-0x402000");

        DmtcpImages both = new DmtcpImages(SEED);
        both.record(new DmtcpImages.Area(base, PAGE, 3, anon, 0, 0, 0, DmtcpImages.PARENT, "", null));
        both.record(new DmtcpImages.Area(base, PAGE, 3, anon, 0, 0, 0, DmtcpImages.PARENT | DmtcpImages.CHILD, "", null));
        assertCorrupt(dir, both, areaAt + PAGE, "both a parent and a child");

        DmtcpImages tooMuch = new DmtcpImages(SEED);  // mmapFileSize larger than the area
        tooMuch.record(new DmtcpImages.Area(base, PAGE, 1, DmtcpImages.MAP_PRIVATE, 0, 9, 2 * PAGE, 0, "/f", new byte[2 * PAGE]));
        assertCorrupt(dir, tooMuch, areaAt, "exceeds its size");

        DmtcpImages unaligned = new DmtcpImages(SEED);
        unaligned.record(new DmtcpImages.Area(base + 8, PAGE, 1, DmtcpImages.MAP_PRIVATE, 0, 9, 0, 0, "/f", new byte[PAGE]));
        assertCorrupt(dir, unaligned, areaAt, "bad area 0x400008");

        DmtcpImages unknown = new DmtcpImages(SEED);
        unknown.record(new DmtcpImages.Area(base, PAGE, 1, DmtcpImages.MAP_PRIVATE, 0, 9, 0, 0x10, "/f", new byte[PAGE]));
        assertCorrupt(dir, unknown, areaAt, "unknown area properties 0x10");
    }

    @Test
    void hugeAreasCostNeitherMemoryNorTime(@TempDir Path dir) throws Exception {
        long base = 0x10_0000_0000L, huge = 1L << 42;  // 4 TiB
        // a zero run of 4 TiB is only an area row
        DmtcpImages zero = new DmtcpImages(SEED).anonymous(base, 3, "", 0, (int) (huge / PAGE));
        Path img = importOf(dir, "z.dmtcp", zero.plain());
        try (CkptReader r = CkptReader.open(img)) {
            assertEquals(huge, r.table(Tables.MEMORY_AREAS).getFirst().end() - base);
            assertEquals(0, r.pages().size());
        }
        // a 4 TiB data run is read page by page and ends as a truncation, not an allocation
        DmtcpImages data = new DmtcpImages(SEED);
        data.record(new DmtcpImages.Area(base, huge, 3, DmtcpImages.MAP_PRIVATE | DmtcpImages.MAP_ANONYMOUS, 0, 0, 0, 0, "", new byte[3 * PAGE]));
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> importOf(dir, "d.dmtcp", data.plain()));
        assertTrue(e.getMessage().contains("truncated area data"), e.getMessage());
    }

    @Test
    void terminatorIsAnyRecordWithAddressZero(@TempDir Path dir) throws Exception {
        // writeckpt reuses its last area record for the terminator: only addr and size change; trailing bytes are ignored
        DmtcpImages d = DmtcpImages.typical(SEED);
        byte[] plain = d.plain();
        byte[] withTail = Arrays.copyOf(plain, plain.length + 100);
        Path img = importOf(dir, "t.dmtcp", withTail);
        try (CkptReader r = CkptReader.open(img)) {
            assertEquals(5, r.table(Tables.MEMORY_AREAS).size());
        }
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
