package dev.ckptkit.backend.elfcore;

import static dev.ckptkit.backend.elfcore.CoreTestData.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.ThreadRow;
import dev.ckptkit.io.table.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Import of the real gcore core of testdata/elfcore, checked against the facts in memfile.txt. */
class CoreImportTest {
    @TempDir
    Path tmp;

    @Test
    void recognisesCoresOnly() throws Exception {
        ElfCoreBackend b = new ElfCoreBackend();
        assertTrue(b.canImport(core(tmp)));
        assertFalse(b.canImport(binary(tmp)), "an executable (ET_DYN) is not a core");
        assertFalse(b.canImport(tmp), "a directory is not a core");
        Path ckpt = importCore(core(tmp), tmp.resolve("x.ckpt"));
        assertFalse(b.canImport(ckpt));
    }

    @Test
    void processThreadsAndMemoryMatchTheFacts() throws Exception {
        Path ckpt = importCore(core(tmp), tmp.resolve("m.ckpt"));
        try (CkptReader r = CkptReader.open(ckpt)) {
            assertTrue(r.verify().ok(), () -> r.verify().problems().toString());
            List<ProcessRow> ps = r.table(Tables.PROCESSES);
            assertEquals(1, ps.size());
            ProcessRow p = ps.getFirst();
            assertEquals(PID, p.pid());
            assertEquals(PID, p.pgid(), "session/pgid leader");
            assertEquals(PID, p.sid());
            assertEquals("memfile", p.comm());
            assertEquals("/tmp/ckpt-work/bin/memfile", p.exe());
            // launch.sh starts it by full path
            assertEquals(List.of("/tmp/ckpt-work/bin/memfile", "1", "/tmp/ckpt-work/a"), p.cmdline());
            assertTrue(p.env().contains("CKPT_TEST=1"), p.env().toString());
            // the CRIU dump of the same process, a second later, read by the other backend, agrees
            try (CkptReader c = CkptReader.open(importCriu(criuDir(tmp), tmp.resolve("c.ckpt")))) {
                ProcessRow q = c.table(Tables.PROCESSES).getFirst();
                assertEquals(q.cmdline(), p.cmdline());
                assertEquals(q.env(), p.env());
                assertEquals(q.exe(), p.exe());
                assertEquals(q.ppid(), p.ppid());
            }
            assertEquals("stopped", p.state(), "gcore ptrace-stops the process it dumps (pr_sname t)");
            assertEquals(1, p.threads());

            List<ThreadRow> ts = r.table(Tables.THREADS);
            assertEquals(1, ts.size());
            ThreadRow t = ts.getFirst();
            assertEquals(PID, t.tid());
            assertEquals("x86_64", t.arch());
            assertEquals(27, t.gpRegs().size());
            assertEquals("xsave", t.fpFormat());
            assertEquals(0x37f, (t.fpRegs()[0] & 0xff) | (t.fpRegs()[1] & 0xff) << 8, "x87 control word after init");
            assertEquals(230L, t.syscall(), "sleeping in clock_nanosleep (orig_rax 230)");
            long rip = t.gpRegs().get(16), rsp = t.gpRegs().get(19);

            List<MemoryAreaRow> areas = r.table(Tables.MEMORY_AREAS);
            assertTrue(areas.stream().anyMatch(a -> "stack".equals(a.kind()) && contains(a, rsp)), "rsp is in the stack area");
            assertTrue(areas.stream().anyMatch(a -> a.path() != null && a.path().endsWith("libc.so.6") && contains(a, rip)
                    && (a.status() & CoreImporter.STATUS_NOT_IN_CORE) != 0), "rip is in libc text, which gcore did not dump");
            assertTrue(areas.stream().anyMatch(a -> "heap".equals(a.kind())));
            assertTrue(areas.stream().anyMatch(a -> "vdso".equals(a.kind())));
            assertTrue(areas.stream().anyMatch(a -> "vsyscall".equals(a.kind())));
            assertTrue(areas.stream().anyMatch(a -> contains(a, HEAP_MARKER) && "anon".equals(a.kind()) && a.prot() == 3));

            assertEquals(MARKER, cString(read(r, PID, HEAP_MARKER, 32)));
            assertEquals(MARKER, cString(read(r, PID, GLOBAL_MARKER, 64)));
            assertEquals(3L, u64(read(r, PID, COUNTER, 8)), "counter in this core");
            byte[] pattern = read(r, PID, HEAP_MARKER + 32, 32);
            assertEquals("PATTERN-0123456\nPATTERN-0123456\n", new String(pattern, java.nio.charset.StandardCharsets.US_ASCII));

            assertTrue(r.nativeNames().contains(CoreImporter.NATIVE_AUXV + PID));
            // gcore dumped the executable's header page: its build-id is the one `readelf -n memfile` prints
            assertEquals("90bcf58921634d44afc8cd8c61c0bdf4ea335192", r.table(Tables.FILES).stream()
                    .filter(f -> f.path().equals("/tmp/ckpt-work/bin/memfile")).findFirst().orElseThrow().buildId());
            assertEquals("elf-core", r.manifest().producer().backend());
            assertEquals("gdb gcore", r.manifest().producer().tool());
        }
    }

    @Test
    void everyDumpedByteIsInTheImage() throws Exception {
        Path core = core(tmp);
        Path ckpt = importCore(core, tmp.resolve("m.ckpt"));
        byte[] raw = Files.readAllBytes(core);
        long pages = 0;
        try (CkptReader r = CkptReader.open(ckpt); CoreFile cf = CoreFile.open(core)) {
            byte[] page = new byte[4096];
            for (Segment s : cf.loads()) {
                for (long off = 0; off < s.filesz(); off += 4096) {
                    assertTrue(r.pages().read(PID, s.vaddr() + off, page, 0));
                    assertArrayEquals(java.util.Arrays.copyOfRange(raw, (int) (s.offset() + off), (int) (s.offset() + off + 4096)), page,
                            "page at 0x" + Long.toHexString(s.vaddr() + off));
                    pages++;
                }
            }
            assertEquals(pages, r.pages().size());
        }
        // the marker occurs 3 times in the raw core (facts): twice in the heap area and once in .bss
        assertEquals(3, occurrences(raw, MARKER.getBytes()));
    }

    static boolean contains(MemoryAreaRow a, long va) {
        return Long.compareUnsigned(va, a.start()) >= 0 && Long.compareUnsigned(va, a.end()) < 0;
    }

    static int occurrences(byte[] hay, byte[] needle) {
        int n = 0;
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) if (hay[i + k] != needle[k]) continue outer;
            n++;
        }
        return n;
    }
}
