package dev.ckptkit.backend.criu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.Backends;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.PipeRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.ThreadRow;
import dev.ckptkit.io.table.Tables;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The common tables and pages of the real test images hold the facts recorded in testdata/criu/*.txt. */
class CriuTablesTest {
    @TempDir
    Path tmp;

    private CkptReader open(String name) throws Exception {
        Path dir = TestImages.criuDir(name, tmp.resolve("in"));
        Path ckpt = tmp.resolve(name + ".ckpt");
        Backends.load().named("criu").importImage(dir, TestImages.context(ckpt));
        return CkptReader.open(ckpt);
    }

    private static byte[] read(CkptReader r, int pid, long addr, int len) throws Exception {
        byte[] page = new byte[4096];
        byte[] out = new byte[len];
        for (int done = 0; done < len; ) {
            long a = addr + done;
            assertTrue(r.pages().read(pid, a & -4096L, page, 0), "page at 0x" + Long.toHexString(a));
            int off = (int) (a & 4095);
            int n = Math.min(len - done, 4096 - off);
            System.arraycopy(page, off, out, done, n);
            done += n;
        }
        return out;
    }

    @Test
    void memfileProcessFilesAndMemory() throws Exception {
        try (CkptReader r = open("memfile")) {
            ProcessRow p = r.table(Tables.PROCESSES).getFirst();
            assertEquals(20439, p.pid());
            assertEquals(20439, p.sid());
            assertEquals("memfile", p.comm());
            assertEquals("/tmp/ckpt-work/bin/memfile", p.exe());
            assertEquals(List.of("/tmp/ckpt-work/bin/memfile", "1", "/tmp/ckpt-work/a"), p.cmdline());
            assertTrue(p.env().contains("CKPT_TEST=1"), p.env().toString());
            assertEquals("/tmp/ckpt-work/a", p.cwd());
            assertEquals("/", p.root());
            assertEquals(0L, p.uid());

            Map<Integer, FileRow> byFd = fdFiles(r, 20439);
            assertEquals("/tmp/ckpt-work/a/data.txt", byFd.get(3).path());
            assertEquals("/tmp/ckpt-work/a/deleted.txt", byFd.get(4).path());
            assertTrue(byFd.get(4).deleted(), "ghost file is marked deleted");
            assertEquals("/dev/null", byFd.get(0).path());
            assertEquals("chr", byFd.get(0).type());

            // heap buffer with the marker, and the counter in .bss, read back from the page store
            assertEquals("CKPT-MARKER-1", new String(read(r, 20439, 0x7f188ef80010L, 13), StandardCharsets.US_ASCII));
            assertEquals("PATTERN-0123456\n", new String(read(r, 20439, 0x7f188ef80010L + 32, 16), StandardCharsets.US_ASCII));
            assertEquals("CKPT-MARKER-1", new String(read(r, 20439, 0x562440ac40a0L, 13), StandardCharsets.US_ASCII));
            assertEquals(4L, ByteBuffer.wrap(read(r, 20439, 0x562440ac40e0L, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong());

            List<MemoryAreaRow> areas = r.table(Tables.MEMORY_AREAS);
            assertEquals(23, areas.size());
            assertEquals("heap", area(areas, 0x562462418000L).kind());
            assertEquals("vdso", area(areas, 0x7f188f577000L).kind());
            assertEquals("vvar", area(areas, 0x7f188f571000L).kind());
            assertEquals("vsyscall", area(areas, 0xffffffffff600000L).kind());
            assertEquals("stack", area(areas, 0x7ffef5b0e000L).kind());
            assertEquals("/tmp/ckpt-work/bin/memfile", area(areas, 0x562440ac0000L).path());
            assertEquals("file", area(areas, 0x562440ac0000L).kind());

            ThreadRow t = r.table(Tables.THREADS).getFirst();
            assertEquals(20439, t.tid());
            assertEquals("x86_64", t.arch());
            assertEquals(27, t.gpRegs().size());
            assertTrue(t.fpRegs().length >= 512);
            assertEquals(230L, t.syscall(), "interrupted in clock_nanosleep (230)");

            Manifest m = r.manifest();
            assertEquals("criu", m.producer().backend());
            assertEquals("kernel", m.style());
            assertEquals(20439, m.processTree().rootPid());
            assertEquals(16, r.table(Tables.RLIMITS).stream().filter(x -> x.pid() == 20439).count());
            assertTrue(r.table(Tables.NAMESPACES).stream().anyMatch(n -> n.type().equals("pid")));
        }
    }

    private static MemoryAreaRow area(List<MemoryAreaRow> areas, long start) {
        return areas.stream().filter(a -> a.start() == start).findFirst().orElseThrow(() -> new AssertionError("no area at 0x" + Long.toHexString(start)));
    }

    private static Map<Integer, FileRow> fdFiles(CkptReader r, int pid) throws Exception {
        Map<Long, FileRow> files = r.table(Tables.FILES).stream().collect(Collectors.toMap(FileRow::id, f -> f));
        return r.table(Tables.FDS).stream().filter(f -> f.pid() == pid)
                .collect(Collectors.toMap(FdRow::fd, f -> files.get(f.fileId())));
    }

    @Test
    void treeHasThreeProcessesJoinedByAPipe() throws Exception {
        try (CkptReader r = open("tree")) {
            List<ProcessRow> ps = r.table(Tables.PROCESSES);
            assertEquals(List.of(26584, 26588, 26589), ps.stream().map(ProcessRow::pid).toList());
            assertEquals(0, ps.get(0).ppid());
            assertEquals(26584, ps.get(1).ppid());
            assertEquals(26584, ps.get(2).pgid());
            assertEquals(List.of("pipepair", "writer"), ps.get(1).cmdline().subList(0, 2).stream()
                    .map(s -> s.substring(s.lastIndexOf('/') + 1)).toList());
            FileRow writerOut = fdFiles(r, 26588).get(1);
            FileRow readerIn = fdFiles(r, 26589).get(0);
            assertEquals("pipe:[49586]", writerOut.path());
            assertEquals("pipe:[49586]", readerIn.path(), "the reader holds the other end of the same pipe");
            assertEquals("/tmp/ckpt-work/bin/tree.sh", fdFiles(r, 26584).get(255).path());
            List<PipeRow> pipes = r.table(Tables.PIPES);
            List<PipeRow> ends = pipes.stream().filter(p -> p.pipeId() == 49586).toList();
            assertEquals(2, ends.size(), pipes.toString());
            assertEquals(1, ends.stream().filter(p -> (p.flags() & 1) != 0).count(), "one write end (O_WRONLY)");
            assertEquals(0L, ends.getFirst().buffered(), "pipes-data.img says 0 bytes buffered");
            assertEquals(4L, ByteBuffer.wrap(read(r, 26588, 0x559f32515048L, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong());
            assertEquals(4L, ByteBuffer.wrap(read(r, 26589, 0x55bdcafc9040L, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong());
            assertEquals(3, r.manifest().processTree().processes());
        }
    }

    @Test
    void tcpListenerSocket() throws Exception {
        try (CkptReader r = open("tcp")) {
            SocketRow s = r.table(Tables.SOCKETS).getFirst();
            assertEquals("inet", s.family());
            assertEquals("stream", s.type());
            assertEquals(6, s.protocol());
            assertEquals("LISTEN", s.state());
            assertEquals("127.0.0.1:47001", s.local());
            assertEquals(8, s.backlog());
            assertEquals(53076L, s.inode());
            assertEquals(s.fileId(), r.table(Tables.FDS).stream().filter(f -> f.fd() == 3).findFirst().orElseThrow().fileId());
            assertNotNull(r.table(Tables.FILES).stream().filter(f -> f.id() == s.fileId() && f.type().equals("socket")).findFirst().orElse(null));
            assertEquals(3L, ByteBuffer.wrap(read(r, 28715, 0x55dee0367050L, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong());
        }
    }

    /** shelljob.txt: bash on a pty slave whose master (script) is outside; tty-info.img gives session and index. */
    @Test
    void shellJobTerminal() throws Exception {
        try (CkptReader r = open("shelljob")) {
            List<ProcessRow> ps = r.table(Tables.PROCESSES);
            assertEquals(List.of(13571, 13690), ps.stream().map(ProcessRow::pid).toList());
            for (ProcessRow p : ps) assertEquals(0, p.tracerPid(), "CRIU cannot seize traced tasks");
            FileRow tty = r.table(Tables.FILES).stream().filter(f -> f.type().equals("tty")).findFirst().orElseThrow();
            assertEquals(18, tty.id());
            assertEquals("/dev/pts/0", tty.path(), "path of regf_id 19");
            assertEquals(13571, tty.ttySid());
            assertEquals(13571, tty.ttyPgrp());
            assertEquals(0, tty.ttyIndex());
            assertEquals(2, tty.flags(), "O_RDWR");
            assertEquals(6, r.table(Tables.FDS).stream().filter(fd -> fd.fileId() == 18).count(), "fds 0-2 of both processes");
            assertEquals("none", r.manifest().host().lsm());
            assertEquals(null, r.manifest().host().cgroupControllers(), "no cgroup.img: the tasks were in criu's cgroups");
        }
    }
}
