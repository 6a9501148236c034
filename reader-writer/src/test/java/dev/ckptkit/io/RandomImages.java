package dev.ckptkit.io;

import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.ThreadRow;
import dev.ckptkit.io.table.Tables;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Seeded random images for property tests: a few processes with tables, pages of every kind (random, repeated,
 * zero, absent), native records and attachments. {@link Model} is what was written, to compare with what is read.
 */
public final class RandomImages {
    private RandomImages() {}

    /** What a random image holds: page contents by (pid, vaddr), null = zero, ABSENT marker for absent. */
    public record Model(List<ProcessRow> processes, List<ThreadRow> threads, List<MemoryAreaRow> areas,
                        List<FileRow> files, List<FdRow> fds, TreeMap<Integer, TreeMap<Long, byte[]>> pages,
                        Map<String, byte[]> natives, Map<String, byte[]> attachments, Manifest manifest) {}

    public static final byte[] ABSENT = new byte[0];

    public static Model model(long seed, int maxPages) {
        Random r = new Random(seed);
        int nproc = 1 + r.nextInt(4);
        List<ProcessRow> procs = new ArrayList<>();
        List<ThreadRow> threads = new ArrayList<>();
        List<MemoryAreaRow> areas = new ArrayList<>();
        List<FileRow> files = new ArrayList<>();
        List<FdRow> fds = new ArrayList<>();
        TreeMap<Integer, TreeMap<Long, byte[]>> pages = new TreeMap<>();
        List<byte[]> pool = new ArrayList<>();
        int[] pids = r.ints(nproc, 1, 1 << 22).distinct().toArray();
        for (int pid : pids) {
            procs.add(new ProcessRow(pid, pid == pids[0] ? 0 : pids[0], pids[0], pids[0], "proc" + r.nextInt(100),
                    "/usr/bin/x" + pid, List.of("x", "--seed=" + seed), List.of("K=" + r.nextInt(), "PATH=/bin"),
                    (long) r.nextInt(1000), 0L, 0L, 0L, 0L, 0L, 0L, 0L, List.of(1L, 2L), r.nextLong(), null,
                    "/tmp", "/", "sleeping", null, 1));
            List<Long> regs = new ArrayList<>();
            for (int k = 0; k < 27; k++) regs.add(r.nextLong());
            byte[] fp = new byte[512];
            r.nextBytes(fp);
            threads.add(new ThreadRow(pid, pid, "t", "x86_64", regs, fp, "fxsave", null, 0L, null, null));
            long base = 0x7f0000000000L + ((long) r.nextInt(1 << 16) << 20);
            int n = r.nextInt(maxPages + 1);
            areas.add(new MemoryAreaRow(pid, base, base + Math.max(1, n) * 4096L, 3, 0x22, 0, null, "anon", null, null, null));
            TreeMap<Long, byte[]> pp = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                long va = base + i * 4096L;
                int kind = r.nextInt(10);
                byte[] content;
                if (kind < 5 || pool.isEmpty()) {
                    content = new byte[4096];
                    if (r.nextBoolean()) r.nextBytes(content);
                    else for (int k = 0; k < 4096; k += 64) content[k + r.nextInt(64)] = (byte) (1 + r.nextInt(255));
                    pool.add(content);
                } else if (kind < 8) {
                    content = pool.get(r.nextInt(pool.size()));
                } else if (kind < 9) {
                    content = null;
                } else {
                    content = ABSENT;
                }
                pp.put(va, content);
            }
            pages.put(pid, pp);
            files.add(new FileRow(pid, "reg", "/tmp/f" + pid, 0, (long) r.nextInt(100), 100L, 0100644, 1L + pid, 2049L, false, null, null));
            fds.add(new FdRow(pid, 3, pid, r.nextBoolean()));
        }
        Map<String, byte[]> natives = new LinkedHashMap<>();
        for (int i = 0; i < r.nextInt(4); i++) {
            byte[] b = new byte[r.nextInt(3000)];
            r.nextBytes(b);
            natives.put("test/native-" + i + ".img", b);
        }
        Map<String, byte[]> attachments = new LinkedHashMap<>();
        for (int i = 0; i < r.nextInt(3); i++) {
            byte[] b = new byte[r.nextInt(20000)];
            r.nextBytes(b);
            attachments.put("files/att-" + i, b);
        }
        Manifest m = new Manifest(Manifest.SCHEMA, new Manifest.Producer("test", "1", "seed " + seed, "ckptkit-test", "0"),
                "kernel", new Manifest.Host("h", "6.1.0", "x86_64", 4096, "GenuineIntel", "cpu", List.of("sse2", "avx"), 7L, 832),
                null, new Manifest.ProcessTree(pids[0], nproc, nproc, java.util.Arrays.stream(pids).boxed().toList()), null,
                new TreeMap<>(Map.of("seed", Long.toString(seed))));
        return new Model(procs, threads, areas, files, fds, pages, natives, attachments, m);
    }

    public static void write(Model m, Path out, int zstdLevel, int threads) throws IOException {
        WriterOptions o = new WriterOptions(UUID.nameUUIDFromBytes(out.getFileName().toString().getBytes()),
                "ckptkit-test", "1.0", zstdLevel, threads);
        write(m, out, o);
    }

    public static void write(Model m, Path out, WriterOptions o) throws IOException {
        try (CkptWriter w = CkptWriter.create(out, o)) {
            w.table(Tables.PROCESSES, m.processes());
            w.table(Tables.THREADS, m.threads());
            for (var e : m.natives().entrySet()) w.nativeRecord(e.getKey(), e.getValue());
            for (var pid : m.pages().descendingKeySet()) {  // processes out of pid order on purpose
                for (var p : m.pages().get(pid).entrySet()) {
                    if (p.getValue() == ABSENT) w.pages().addAbsent(pid, p.getKey(), PageSink.ABSENT);
                    else w.pages().add(pid, p.getKey(), p.getValue() == null ? new byte[4096] : p.getValue(), 0);
                }
            }
            w.table(Tables.MEMORY_AREAS, m.areas());
            w.table(Tables.FILES, m.files());
            w.table(Tables.FDS, m.fds());
            for (var e : m.attachments().entrySet()) w.attachment(e.getKey(), new ByteArrayInputStream(e.getValue()));
            w.manifest(m.manifest());
            w.commit();
        }
    }
}
