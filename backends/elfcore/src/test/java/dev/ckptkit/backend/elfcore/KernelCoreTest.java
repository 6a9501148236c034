package dev.ckptkit.backend.elfcore;

import static dev.ckptkit.backend.elfcore.CoreTestData.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.ThreadRow;
import dev.ckptkit.io.table.Tables;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kernel core of testdata/elfcore/threads (3 threads, SIGABRT), checked against threads.txt. */
class KernelCoreTest {
    static final int KPID = 15736;
    static final long COUNTERS = 0x55bb4c98e0a0L, KMARKER = 0x55bb4c98e0c0L;

    @TempDir
    Path tmp;

    @Test
    void threadsSignalAndMemoryMatchTheFacts() throws Exception {
        try (CkptReader r = CkptReader.open(importCore(kernelCore(tmp), tmp.resolve("k.ckpt")))) {
            ProcessRow p = r.table(Tables.PROCESSES).getFirst();
            assertEquals(KPID, p.pid());
            assertEquals(3, p.threads());
            assertEquals(List.of("./threads"), p.cmdline());
            assertEquals("kernel core dump", r.manifest().producer().tool());
            List<ThreadRow> ts = r.table(Tables.THREADS);
            assertEquals(List.of(KPID, KPID + 1, KPID + 2), ts.stream().map(ThreadRow::tid).toList());
            assertEquals(0x7f5d6ad13eecL, ts.get(0).gpRegs().get(16));
            assertEquals(0x7f5d6ad5cdf2L, ts.get(1).gpRegs().get(16));
            for (ThreadRow t : ts) {
                assertEquals("xsave", t.fpFormat());
                assertEquals(11008, t.fpRegs().length);
            }
            byte[] sig = r.nativeRecord(CoreImporter.NATIVE_SIGINFO + KPID);
            assertEquals(6, ByteBuffer.wrap(sig).order(ByteOrder.LITTLE_ENDIAN).getInt(0), "SIGABRT");
            ByteBuffer c = ByteBuffer.wrap(read(r, KPID, COUNTERS, 24)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(List.of(100L, 101L, 102L), List.of(c.getLong(), c.getLong(), c.getLong()));
            assertEquals("CKPT-MARKER-THREADS", cString(read(r, KPID, KMARKER, 64)));
            assertEquals("CKPT-THREAD-1", cString(read(r, KPID, 0x7f5d5c000b70L, 64)));
            assertEquals("CKPT-THREAD-2", cString(read(r, KPID, 0x7f5d64000b70L, 64)));
            assertEquals("CKPT-THREAD-0", cString(read(r, KPID, 0x55bb70e0d4e0L, 64)));
            // files from NT_FILE; build-ids from the header pages the kernel dumped, equal to the binary's own
            List<FileRow> files = r.table(Tables.FILES);
            assertEquals(List.of("/tmp/ec/kc/threads", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
                    files.stream().map(FileRow::path).toList());
            assertEquals(MappedElf.at(elfAsMemory(kernelBinary(tmp)), 0).buildId(), files.getFirst().buildId());
            assertEquals("1498655c84071938d59a775b4197698ef917bd99", files.getFirst().buildId(), "readelf -n threads");
            assertTrue(files.stream().allMatch(f -> f.buildId() != null && f.buildId().length() == 40), files.toString());
            List<MemoryAreaRow> areas = r.table(Tables.MEMORY_AREAS);
            assertTrue(areas.stream().anyMatch(a -> "heap".equals(a.kind()) && CoreImportTest.contains(a, 0x55bb70e0d4e0L)));
            // the reserved rest of a worker's malloc arena: inaccessible, and not dumped by the kernel
            assertTrue(areas.stream().anyMatch(a -> a.prot() == 0 && a.end() - a.start() > 60 << 20
                    && (a.status() & CoreImporter.STATUS_PARTIAL) != 0));
        }
    }

    @Test
    void roundTripKeepsEverything() throws Exception {
        Path a = importCore(kernelCore(tmp), tmp.resolve("a.ckpt"));
        Path b = importCore(exportCore(a, KPID, tmp.resolve("core.back")), tmp.resolve("b.ckpt"));
        try (CkptReader ra = CkptReader.open(a); CkptReader rb = CkptReader.open(b)) {
            CoreExportTest.assertThreadsEqual(ra.table(Tables.THREADS), rb.table(Tables.THREADS));
            assertEquals(ra.table(Tables.PROCESSES), rb.table(Tables.PROCESSES));
            assertEquals(ra.table(Tables.MEMORY_AREAS), rb.table(Tables.MEMORY_AREAS));
            CoreExportTest.assertSamePages(ra, rb, KPID);
            for (String n : ra.nativeNames()) assertArrayEquals(ra.nativeRecord(n), rb.nativeRecord(n), n);
        }
    }

    /** gdb says exactly the same about the kernel's core and the core exported from its CKPT image. */
    @Test
    void gdbSeesTheSameAsInTheKernelsCore() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/gdb")), "gdb is not installed (test.sh installs it)");
        Path original = kernelCore(tmp);
        Path exported = exportCore(importCore(original, tmp.resolve("k.ckpt")), KPID, tmp.resolve("exported.core"));
        Path bin = kernelBinary(tmp);
        String want = gdb(bin, original), got = gdb(bin, exported);
        assertTrue(want.contains("Program terminated with signal SIGABRT"), want);
        assertTrue(want.contains("$1 = {100, 101, 102}"), want);
        assertTrue(want.matches("(?s).*in main \\(\\) at threads.c:33.*"), want);
        assertEquals(want, got);
    }

    /** An ELF file's first page, as a one-segment core memory at address 0 (for reading its build-id). */
    static CoreMemory elfAsMemory(Path elf) throws Exception {
        byte[] page = Arrays.copyOf(Files.readAllBytes(elf), 4096);
        Path core = Files.createTempFile("page", ".core");
        try {
            // a minimal core: ELF header, one PT_LOAD of the page at 0
            ByteBuffer b = ByteBuffer.allocate(64 + 56 + 4096).order(ByteOrder.LITTLE_ENDIAN);
            b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).position(16);
            b.putShort((short) 4).putShort((short) 62).putInt(1).putLong(0).putLong(64).putLong(0).putInt(0)
                    .putShort((short) 64).putShort((short) 56).putShort((short) 1).putShort((short) 0).putShort((short) 0).putShort((short) 0);
            b.putInt(1).putInt(4).putLong(120).putLong(0).putLong(0).putLong(4096).putLong(4096).putLong(4096);
            b.put(page);
            Files.write(core, b.array());
            return new CoreMemory(CoreFile.open(core));
        } finally {
            Files.delete(core);
        }
    }

    private String gdb(Path bin, Path core) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/gdb", "-nx", "-batch"));
        for (String c : List.of("p counters", "p thread_buf", "info threads", "thread apply all bt",
                "thread apply all info registers", "info registers xmm0 ymm1", "p $_siginfo")) {
            cmd.addAll(List.of("-ex", c));
        }
        cmd.addAll(List.of(bin.toString(), core.toString()));
        Path log = tmp.resolve("gdb.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("DEBUGINFOD_URLS", "");
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("gdb did not finish in 120 s");
        }
        // the core's own file name is the only thing allowed to differ
        return Files.readString(log, StandardCharsets.UTF_8).replace(core.toString(), "CORE");
    }
}
