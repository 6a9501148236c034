package dev.ckptkit.backend.elfcore;

import static dev.ckptkit.backend.elfcore.CoreTestData.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.RandomImages;
import dev.ckptkit.io.table.ThreadRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Export to ELF cores and back: registers and memory survive, on the real core, the real CRIU image and random images. */
class CoreExportTest {
    @TempDir
    Path tmp;

    @Test
    void gcoreRoundTripKeepsRegistersAndMemory() throws Exception {
        Path a = importCore(core(tmp), tmp.resolve("a.ckpt"));
        Path core = exportCore(a, PID, tmp.resolve("core." + PID));
        Path b = importCore(core, tmp.resolve("b.ckpt"));
        try (CkptReader ra = CkptReader.open(a); CkptReader rb = CkptReader.open(b)) {
            assertThreadsEqual(ra.table(Tables.THREADS), rb.table(Tables.THREADS));
            assertEquals(ra.table(Tables.PROCESSES), rb.table(Tables.PROCESSES));
            assertSamePages(ra, rb, PID);
            assertArrayEquals(ra.nativeRecord(CoreImporter.NATIVE_AUXV + PID), rb.nativeRecord(CoreImporter.NATIVE_AUXV + PID));
        }
    }

    @Test
    void criuImageBecomesACoreWithItsPagesAndRegisters() throws Exception {
        Path c = importCriu(criuDir(tmp), tmp.resolve("c.ckpt"));
        Path core = exportCore(c, PID, tmp.resolve("core"));
        Path back = importCore(core, tmp.resolve("back.ckpt"));
        try (CkptReader rc = CkptReader.open(c); CkptReader rb = CkptReader.open(back)) {
            List<ThreadRow> tc = rc.table(Tables.THREADS), tb = rb.table(Tables.THREADS);
            assertEquals(tc.getFirst().gpRegs(), tb.getFirst().gpRegs());
            // the FXSAVE part up to the software-reserved bytes, where the export writes the XCR0 gdb reads
            assertArrayEquals(Arrays.copyOf(tc.getFirst().fpRegs(), 464), Arrays.copyOf(tb.getFirst().fpRegs(), 464));
            assertEquals(4L, u64(read(rb, PID, COUNTER, 8)), "counter in the CRIU image");
            assertEquals(MARKER, cString(read(rb, PID, HEAP_MARKER, 32)));
            // every page CRIU stored reads the same from the core
            PageStore pc = rc.pages();
            byte[] x = new byte[4096], y = new byte[4096];
            long[] range = pc.range(PID);
            for (long i = range[0]; i < range[1]; i++) {
                long va = pc.vaddrAt(i);
                assertTrue(pc.read(PID, va, x, 0));
                assertTrue(rb.pages().read(PID, va, y, 0), "page 0x" + Long.toHexString(va) + " is in the core");
                assertArrayEquals(x, y, "page 0x" + Long.toHexString(va));
            }
            // auxv came from CRIU's mm image: the same vector the kernel gave the process (gcore saw it too)
            try (CkptReader rg = CkptReader.open(importCore(core(tmp), tmp.resolve("g.ckpt")))) {
                assertArrayEquals(rg.nativeRecord(CoreImporter.NATIVE_AUXV + PID), rb.nativeRecord(CoreImporter.NATIVE_AUXV + PID));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomImagesOneCorePerProcess(long seed) throws Exception {
        System.out.println("seed " + seed);
        RandomImages.Model m = RandomImages.model(seed, 40);
        Path img = tmp.resolve("r.ckpt");
        RandomImages.write(m, img, 0, 2);
        Path dir = tmp.resolve("cores");
        try (CkptReader r = CkptReader.open(img)) {
            new ElfCoreBackend().exportImage(r, dir, ExportOptions.none());
        }
        for (var pt : m.pages().entrySet()) {
            int pid = pt.getKey();
            Path core = dir.resolve("core." + pid);
            assertTrue(Files.isRegularFile(core), core.toString());
            try (CkptReader rb = CkptReader.open(importCore(core, tmp.resolve("b" + pid + ".ckpt")))) {
                ThreadRow want = m.threads().stream().filter(t -> t.pid() == pid).findFirst().orElseThrow();
                ThreadRow got = rb.table(Tables.THREADS).getFirst();
                assertEquals(want.tid(), got.tid());
                assertEquals(want.gpRegs(), got.gpRegs());
                assertArrayEquals(want.fpRegs(), got.fpRegs());
                assertEquals(want.sigBlocked(), got.sigBlocked());
                byte[] page = new byte[4096];
                for (Map.Entry<Long, byte[]> e : pt.getValue().entrySet()) {
                    assertTrue(rb.pages().read(pid, e.getKey(), page, 0));
                    byte[] expect = e.getValue() == null || e.getValue() == RandomImages.ABSENT ? new byte[4096] : e.getValue();
                    assertArrayEquals(expect, page, "pid " + pid + " page 0x" + Long.toHexString(e.getKey()));
                }
            }
        }
        try (var s = Files.list(dir)) {
            assertEquals(m.pages().size(), s.count(), "one core per process");
        }
    }

    /** Export is a fixpoint: a core exported, imported and exported again is the same bytes. */
    @ParameterizedTest
    @ValueSource(strings = {"gcore", "kernel", "criu"})
    void exportImportExportIsByteIdentical(String source) throws Exception {
        Path first = switch (source) {
            case "gcore" -> importCore(core(tmp), tmp.resolve("s.ckpt"));
            case "kernel" -> importCore(kernelCore(tmp), tmp.resolve("s.ckpt"));
            default -> importCriu(criuDir(tmp), tmp.resolve("s.ckpt"));
        };
        int pid = source.equals("kernel") ? KernelCoreTest.KPID : PID;
        Path c1 = exportCore(first, pid, tmp.resolve("c1"));
        Path c2 = exportCore(importCore(c1, tmp.resolve("again.ckpt")), pid, tmp.resolve("c2"));
        assertEquals(-1L, Files.mismatch(c1, c2), "cores differ");
    }

    @Test
    void unknownPidIsAOneLineError() throws Exception {
        Path a = importCore(core(tmp), tmp.resolve("a.ckpt"));
        IOException e = assertThrows(IOException.class, () -> exportCore(a, 4242, tmp.resolve("core.4242")));
        assertEquals(a + ": no process with pid 4242 in the image (pids: " + PID + ")", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("core.4242")));
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left behind");
        }
    }

    @Test
    void xstateIsSizedForGdb() {
        byte[] fp = new byte[2696];
        byte[] x = CoreExporter.xstate(fp, 0xa2L, null);
        assertEquals(2688, x.length, "AVX-512 without PKRU");
        assertEquals(0xe7L, java.nio.ByteBuffer.wrap(x).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(464));
        assertEquals(832, CoreExporter.xstate(new byte[576], 0x7L, null).length);
        assertEquals(2696, CoreExporter.xstate(new byte[1000], 0x7L, 0x2e7L).length);
    }

    static void assertThreadsEqual(List<ThreadRow> a, List<ThreadRow> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).tid(), b.get(i).tid());
            assertEquals(a.get(i).gpRegs(), b.get(i).gpRegs());
            assertArrayEquals(a.get(i).fpRegs(), b.get(i).fpRegs());
            assertEquals(a.get(i).xstateBv(), b.get(i).xstateBv());
            assertEquals(a.get(i).sigBlocked(), b.get(i).sigBlocked());
        }
    }

    /** Same (vaddr -> content) for every page either image stores with data. */
    static void assertSamePages(CkptReader a, CkptReader b, int pid) throws IOException {
        TreeMap<Long, byte[]> pa = pages(a, pid), pb = pages(b, pid);
        assertEquals(pa.keySet(), pb.keySet());
        for (long va : pa.keySet()) assertArrayEquals(pa.get(va), pb.get(va), "page 0x" + Long.toHexString(va));
    }

    static TreeMap<Long, byte[]> pages(CkptReader r, int pid) throws IOException {
        TreeMap<Long, byte[]> out = new TreeMap<>(Long::compareUnsigned);
        PageStore ps = r.pages();
        long[] range = ps.range(pid);
        for (long i = range[0]; i < range[1]; i++) {
            byte[] p = new byte[4096];
            if (ps.read(pid, ps.vaddrAt(i), p, 0)) out.put(ps.vaddrAt(i), p);
        }
        return out;
    }
}
