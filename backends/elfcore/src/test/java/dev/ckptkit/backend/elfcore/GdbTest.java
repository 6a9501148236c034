package dev.ckptkit.backend.elfcore;

import static dev.ckptkit.backend.elfcore.CoreTestData.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.io.table.ThreadRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported cores in the real gdb (test.sh installs it where missing): registers, threads, a backtrace into
 * main, the markers and the counter, and memory dumped by gdb equal to the image's pages.
 */
class GdbTest {
    private static final Path GDB = Path.of("/usr/bin/gdb");
    /** Build-id of the libc the memfile workload ran with (in the gcore core's NT_FILE header pages). */
    static final String LIBC_BUILD_ID = "93ac61ec5a8eb1396f9fbd350e3169a558528a40";
    private static final long HEAP_AREA = 0x7f188ef80000L, HEAP_AREA_END = 0x7f188f384000L;

    @TempDir
    Path tmp;

    @BeforeAll
    static void needGdb() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(GDB), "gdb is not installed (test.sh installs it)");
    }

    @Test
    void gcoreThroughCkptLoadsInGdb() throws Exception {
        Path ckpt = importCore(core(tmp), tmp.resolve("g.ckpt"));
        checkInGdb(ckpt, 3);
    }

    @Test
    void criuImageThroughCkptLoadsInGdb() throws Exception {
        Path ckpt = importCriu(criuDir(tmp), tmp.resolve("c.ckpt"));
        checkInGdb(ckpt, 4);
    }

    @Test
    void everyThreadShowsUp() throws Exception {
        Path one = importCore(core(tmp), tmp.resolve("one.ckpt"));
        Path two = tmp.resolve("two.ckpt");
        withExtraThread(one, two, PID + 1);
        Path core = exportCore(two, PID, tmp.resolve("core.two"));
        String out = gdb(core, "info threads", "thread 2", "info registers rip rsp");
        assertTrue(out.contains("LWP " + PID + ")"), out);
        assertTrue(out.contains("LWP " + (PID + 1) + ")"), out);
        assertTrue(out.contains("[Switching to thread 2 (LWP " + (PID + 1) + ")]"), out);
    }

    private void checkInGdb(Path ckpt, long counter) throws Exception {
        Path core = exportCore(ckpt, PID, tmp.resolve("core." + PID));
        Path heap = tmp.resolve("heap.bin");
        String out = gdb(core, "info registers rip rsp", "x/s 0x" + Long.toHexString(HEAP_MARKER), "p counter", "p marker",
                "bt", "info threads",
                "dump binary memory " + heap + " 0x" + Long.toHexString(HEAP_AREA) + " 0x" + Long.toHexString(HEAP_AREA_END));
        try (CkptReader r = CkptReader.open(ckpt)) {
            ThreadRow t = r.table(Tables.THREADS).getFirst();
            assertTrue(out.matches("(?s).*\\nrip +0x" + Long.toHexString(t.gpRegs().get(16)) + " .*"), out);
            assertTrue(out.matches("(?s).*\\nrsp +0x" + Long.toHexString(t.gpRegs().get(19)) + " .*"), out);
            assertTrue(out.contains("0x" + Long.toHexString(HEAP_MARKER) + ":\t\"" + MARKER + "\""), out);
            assertTrue(out.contains("$1 = " + counter + "\n"), out);
            assertTrue(out.contains("$2 = \"" + MARKER + "\""), out);
            if (hostHasDumpTimeLibc(tmp, LIBC_BUILD_ID)) {
                assertTrue(out.matches("(?s).*#[0-9]+ +0x[0-9a-f]+ in main \\(.*"), "backtrace reaches main:\n" + out);
            } else {
                System.out.println("GdbTest: this host's libc is not the one of the test cores: backtrace not checked");
            }
            assertTrue(out.contains("(LWP " + PID + ")"), out);
            assertFalse(out.contains("warning: Unexpected size of section"), out);
            byte[] viaGdb = Files.readAllBytes(heap);
            assertEquals(HEAP_AREA_END - HEAP_AREA, viaGdb.length);
            assertArrayEquals(read(r, PID, HEAP_AREA, viaGdb.length), viaGdb, "memory read by gdb equals the image's pages");
        }
    }

    private String gdb(Path core, String... commands) throws Exception {
        Path bin = binary(tmp);
        List<String> cmd = new ArrayList<>(List.of(GDB.toString(), "-nx", "-batch"));
        for (String c : commands) cmd.addAll(List.of("-ex", c));
        cmd.addAll(List.of(bin.toString(), core.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("DEBUGINFOD_URLS", "");
        Path log = tmp.resolve("gdb.out");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("gdb did not finish in 120 s: " + Files.readString(log));
        }
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** A copy of {@code in} with a second thread (same registers as the first) added to {@code pid}. */
    private static void withExtraThread(Path in, Path out, int tid) throws IOException {
        try (CkptReader r = CkptReader.open(in);
             CkptWriter w = CkptWriter.create(out, WriterOptions.defaults(WriterOptions.uuidFrom("two")))) {
            List<ThreadRow> ts = new ArrayList<>(r.table(Tables.THREADS));
            ThreadRow t = ts.getFirst();
            ts.add(new ThreadRow(t.pid(), tid, t.name(), t.arch(), t.gpRegs(), t.fpRegs(), t.fpFormat(), t.xstateBv(),
                    t.sigBlocked(), t.sigPending(), t.syscall()));
            w.table(Tables.THREADS, ts);
            w.table(Tables.PROCESSES, r.table(Tables.PROCESSES));
            w.table(Tables.MEMORY_AREAS, r.table(Tables.MEMORY_AREAS));
            for (String n : r.nativeNames()) w.nativeRecord(n, r.nativeRecord(n));
            PageStore ps = r.pages();
            byte[] zero = new byte[4096];
            for (long i = 0; i < ps.size(); i++) {
                PageStore.Entry e = ps.entry(i);
                if (e.page() >= 0) w.pages().add(e.pid(), e.vaddr(), ps.page(e.page()));
                else w.pages().add(e.pid(), e.vaddr(), zero, 0);
            }
            w.manifest(r.manifest());
            w.commit();
        }
    }
}
