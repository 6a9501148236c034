package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.PageSink;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.MountRow;
import dev.ckptkit.io.table.NamespaceRow;
import dev.ckptkit.io.table.PipeRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.ThreadRow;
import dev.ckptkit.io.table.Tables;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A deterministic synthetic image, for benchmarks (no real image of the wanted size at hand) and tests: three
 * processes (a shell and two children joined by a pipe, one with a listening socket) and a data area of the
 * requested size filled like shared/tools/make-large-image.sh does (40% random pages, 30% text records, 20% copies
 * of earlier pages, 10% zero pages), with marker strings at known addresses, one across a page boundary, one in
 * UTF-16LE, a page shared by two processes and a page recorded as absent.
 */
public final class SyntheticImage {
    private SyntheticImage() {}

    public static final int SHELL = 100, WORKER = 101, READER = 102;
    public static final long DATA = 0x7f0000000000L;
    public static final long HEAP = 0x555555560000L;
    public static final long STACK = 0x7ffc00000000L;
    public static final long LIBC = 0x7f8000000000L;
    private static final int PAGE = 4096;
    /** A marker every this many pages of the data area. */
    static final int MARKER_EVERY = 4096;

    /** Where things are in the image written. */
    public record Facts(long dataPages, Map<Long, String> markers, long crossPageMarker, String crossPageText,
                        long wideMarker, String wideText, long sharedPage, long absentPage, List<Long> rip) {}

    public static Facts write(Path out, long dataBytes, int zstdLevel) throws IOException {
        long pages = Math.max(32, dataBytes / PAGE);
        Map<Long, String> markers = new TreeMap<>();
        WriterOptions o = WriterOptions.defaults(UUID.nameUUIDFromBytes(("synthetic " + pages).getBytes(StandardCharsets.UTF_8)))
                .withZstd(zstdLevel);
        long cross = DATA + 5 * PAGE - 6;
        String crossText = "CKPT-ACROSS-PAGES";
        long wide = HEAP + PAGE + 200;
        String wideText = "CKPT-WIDE-MARKER";
        long shared = HEAP + 2 * PAGE;
        long absent = STACK + PAGE;
        List<Long> rips = List.of(0x555555561234L, 0x7f8000012345L, 0x7f8000054321L);
        try (CkptWriter w = CkptWriter.create(out, o)) {
            w.table(Tables.PROCESSES, List.of(
                    proc(SHELL, 0, "bash", List.of("bash", "/opt/run.sh"), 1),
                    proc(WORKER, SHELL, "worker", List.of("worker", "--data"), 2),
                    proc(READER, SHELL, "reader", List.of("reader"), 1)));
            List<ThreadRow> threads = new ArrayList<>();
            threads.add(thread(SHELL, SHELL, rips.get(0)));
            threads.add(thread(WORKER, WORKER, rips.get(1)));
            threads.add(thread(WORKER, WORKER + 1000, rips.get(2)));
            threads.add(thread(READER, READER, rips.get(2) + 16));
            w.table(Tables.THREADS, threads);
            List<MemoryAreaRow> areas = new ArrayList<>();
            for (int pid : new int[] {SHELL, WORKER, READER}) {
                areas.add(new MemoryAreaRow(pid, HEAP, HEAP + 4 * PAGE, 3, 0x22, 0, null, "heap", null, null, null));
                areas.add(new MemoryAreaRow(pid, LIBC, LIBC + 2 * PAGE, 5, 0x2, 0x26000, "/usr/lib/x86_64-linux-gnu/libc.so.6", "file", (8L << 20) | 1, 1234L, null));
                areas.add(new MemoryAreaRow(pid, STACK, STACK + 2 * PAGE, 3, 0x122, 0, null, "stack", null, null, null));
            }
            areas.add(new MemoryAreaRow(WORKER, DATA, DATA + pages * PAGE, 3, 0x22, 0, null, "anon", null, null, null));
            areas.sort((a, b) -> a.pid() != b.pid() ? Integer.compare(a.pid(), b.pid()) : Long.compareUnsigned(a.start(), b.start()));
            w.table(Tables.MEMORY_AREAS, areas);
            w.table(Tables.FILES, List.of(
                    new FileRow(1, "chr", "/dev/null", 2, 0L, 0L, 020666, 5L, 6L, false, null, null),
                    new FileRow(2, "reg", "/opt/run.sh", 0, 42L, 120L, 0100755, 77L, (8L << 20) | 1, false, null, null),
                    new FileRow(3, "pipe", "pipe:[4242]", 1, null, null, null, 4242L, null, false, null, null),
                    new FileRow(4, "pipe", "pipe:[4242]", 0, null, null, null, 4242L, null, false, null, null),
                    new FileRow(5, "socket", null, 2, null, null, null, 5555L, null, false, null, null),
                    new FileRow(6, "reg", "/tmp/secret.txt", 2, 7L, 20L, 0100600, 88L, (8L << 20) | 1, true, "files/ghost-6", null)));
            w.table(Tables.FDS, List.of(
                    new FdRow(SHELL, 0, 1, false), new FdRow(SHELL, 1, 1, false), new FdRow(SHELL, 255, 2, true),
                    new FdRow(WORKER, 1, 3, false), new FdRow(WORKER, 3, 5, true), new FdRow(WORKER, 4, 6, false),
                    new FdRow(READER, 0, 4, false)));
            w.table(Tables.PIPES, List.of(new PipeRow(3, 4242, null, 1, 9), new PipeRow(4, 4242, null, 0, 9)));
            w.table(Tables.SOCKETS, List.of(new SocketRow(5, "inet", "stream", 6, "LISTEN", "127.0.0.1:47001", null, 5555L, null, 8)));
            w.table(Tables.MOUNTS, List.of(
                    new MountRow(1, 0, "/", "/", "ext4", "/dev/vda", "rw,relatime", (8L << 20) | 1, 9L, false),
                    new MountRow(2, 1, "/proc", "/", "proc", "proc", "rw,nosuid", null, 9L, false),
                    new MountRow(3, 1, "/data", "/srv/data", "ext4", "/dev/vdb", "ro", null, 9L, true)));
            List<NamespaceRow> ns = new ArrayList<>();
            for (int pid : new int[] {SHELL, WORKER, READER}) ns.add(new NamespaceRow(pid, "mnt", 9L));
            w.table(Tables.NAMESPACES, ns);
            w.attachment("files/ghost-6", new ByteArrayInputStream("CKPT-GHOST-CONTENT\n".getBytes(StandardCharsets.UTF_8)));

            byte[] sharedContent = new byte[PAGE];
            byte[] sm = "CKPT-SHARED-PAGE".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < PAGE; i += 256) System.arraycopy(sm, 0, sharedContent, i, sm.length);
            for (int pid : new int[] {SHELL, WORKER, READER}) {
                PageSink ps = w.pages();
                byte[] heap0 = new byte[PAGE];
                byte[] env = ("PATH=/usr/bin\0HOME=/root\0CKPT_PID=" + pid + "\0").getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(env, 0, heap0, 16, env.length);
                ps.add(pid, HEAP, heap0, 0);
                byte[] heap1 = new byte[PAGE];
                byte[] wt = wideText.getBytes(StandardCharsets.UTF_16LE);
                if (pid == WORKER) System.arraycopy(wt, 0, heap1, 200, wt.length);
                ps.add(pid, HEAP + PAGE, heap1, 0);
                if (pid != SHELL) ps.add(pid, shared, sharedContent, 0);
                if (pid == WORKER) writeData(ps, pages, markers, cross, crossText);
                byte[] lib = new byte[PAGE];
                byte[] ver = ("GNU C Library stable release version 2.36 pid " + pid).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(ver, 0, lib, 64, ver.length);
                ps.add(pid, LIBC, lib, 0);
                byte[] stack = new byte[PAGE];
                stack[PAGE - 8] = 1;
                ps.add(pid, STACK, stack, 0);
                if (pid == SHELL) ps.addAbsent(pid, absent, PageSink.ABSENT);
            }
            w.manifest(new Manifest(Manifest.SCHEMA, new Manifest.Producer("synthetic", "1", "SyntheticImage", "ckptkit", "0"),
                    "kernel", new Manifest.Host("synthetic", "6.1.0", "x86_64", PAGE, null, null, null, null, null), null,
                    new Manifest.ProcessTree(SHELL, 3, 4, List.of(SHELL, WORKER, READER)), null, null));
            w.commit();
        }
        return new Facts(pages, markers, cross, crossText, wide, wideText, shared, absent, rips);
    }

    /** The data area: the make-large-image.sh mix, page i decided by i % 10, with markers. */
    private static void writeData(PageSink ps, long pages, Map<Long, String> markers, long cross, String crossText) throws IOException {
        byte[] page = new byte[PAGE];
        long x = 88172645463325252L;
        for (long i = 0; i < pages; i++) {
            int k = (int) (i % 10);
            if (k < 4) {
                for (int j = 0; j < PAGE; j += 8) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                    for (int b = 0; b < 8; b++) page[j + b] = (byte) (x >>> (8 * b));
                }
            } else if (k < 7) {
                java.util.Arrays.fill(page, (byte) 0);
                int j = 0;
                while (j < PAGE) {
                    byte[] rec = ("record " + i + " user" + (j % 97) + " /var/lib/app/" + (i % 13) + " ok\n").getBytes(StandardCharsets.US_ASCII);
                    int n = Math.min(rec.length, PAGE - j - 1);
                    System.arraycopy(rec, 0, page, j, Math.max(0, n));
                    j += rec.length;
                }
            } else if (k < 9 && i > 16) {
                page = dataPage(i / 2);
            } else {
                java.util.Arrays.fill(page, (byte) 0);
            }
            long va = DATA + i * PAGE;
            if (i % MARKER_EVERY == 1 && (k < 7)) {
                String m = "CKPT-MARKER-" + (i / MARKER_EVERY);
                page = page.clone();
                page[99] = 0;
                System.arraycopy(m.getBytes(StandardCharsets.US_ASCII), 0, page, 100, m.length());
                page[100 + m.length()] = 0;
                markers.put(va + 100, m);
            }
            if (va == (cross & -PAGE)) {
                page = page.clone();
                int off = (int) (cross - va);
                page[off - 1] = 0;
                System.arraycopy(crossText.getBytes(StandardCharsets.US_ASCII), 0, page, off, PAGE - off);
            } else if (va == (cross & -PAGE) + PAGE) {
                page = page.clone();
                int done = PAGE - (int) (cross & (PAGE - 1));
                byte[] rest = crossText.substring(done).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(rest, 0, page, 0, rest.length);
                page[rest.length] = 0;
            }
            ps.add(WORKER, va, page, 0);
        }
    }

    /** Content of data page i before markers, regenerated for copies (cheap: copies refer to page i/2). */
    private static byte[] dataPage(long i) {
        int k = (int) (i % 10);
        byte[] page = new byte[PAGE];
        if (k < 4) {
            // a copy of a random page: any deterministic random content will do (the bench only needs duplicates)
            long x = 88172645463325252L ^ (i * 0x9E3779B97F4A7C15L);
            for (int j = 0; j < PAGE; j += 8) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                for (int b = 0; b < 8; b++) page[j + b] = (byte) (x >>> (8 * b));
            }
        } else if (k < 7) {
            int j = 0;
            while (j < PAGE) {
                byte[] rec = ("record " + i + " user" + (j % 97) + " /var/lib/app/" + (i % 13) + " ok\n").getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(rec, 0, page, j, Math.min(rec.length, PAGE - j - 1));
                j += rec.length;
            }
        } else if (k < 9 && i > 16) {
            return dataPage(i / 2);
        }
        return page;
    }

    private static ProcessRow proc(int pid, int ppid, String comm, List<String> argv, int threads) {
        return new ProcessRow(pid, ppid, SHELL, SHELL, comm, "/usr/bin/" + comm, argv, List.of("PATH=/usr/bin", "CKPT_PID=" + pid),
                0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, List.of(), 0L, 0L, "/opt", "/", "sleeping", null, threads);
    }

    private static ThreadRow thread(int pid, int tid, long rip) {
        List<Long> regs = new ArrayList<>();
        for (int i = 0; i < 27; i++) regs.add((long) (i + 1) * 0x1000 + tid);
        regs.set(16, rip);        // rip
        regs.set(18, 0x246L);     // eflags
        regs.set(17, 0x33L);      // cs
        byte[] fx = new byte[512];
        fx[0] = 0x7f;
        fx[1] = 0x03;             // fcw 0x37f
        fx[24] = (byte) 0x80;
        fx[25] = 0x1f;            // mxcsr 0x1f80
        fx[160] = 0x11;           // xmm0 low byte
        return new ThreadRow(pid, tid, "t" + tid, "x86_64", regs, fx, "fxsave", null, 0L, 0L, 230L);
    }
}
