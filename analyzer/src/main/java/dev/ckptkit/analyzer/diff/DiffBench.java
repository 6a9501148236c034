package dev.ckptkit.analyzer.diff;

import dev.ckptkit.analyzer.inspect.ForensicsBench;
import dev.ckptkit.analyzer.inspect.SyntheticImage;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * ckpt diff against {@code cmp -l} of the two images' raw page data (every dumped page in index order, written out
 * once), in the same run. cmp -l reads both files to the end and lists every differing byte, which is what a diff
 * has to find; its count of differing bytes is checked against ours (--bytes). Each figure is the best of a few runs
 * after warm-up runs, with the files in the page cache; ours includes opening both images and decoding their tables.
 * The first, cold-JVM run of ours is reported too.
 */
public final class DiffBench {
    /** The measured figures; {@code cmpBytes} and {@code oursBytes} are the differing bytes each found. */
    public record Result(long pageBytes, long pages, long changedPages, double firstSeconds, double oursSeconds,
                         double oursBytesSeconds, double cmpSeconds, long oursBytes, long cmpBytes) {
        /** How many times faster the hash diff is than cmp. */
        public double ratio() { return cmpSeconds / oursSeconds; }

        public double ratioWithBytes() { return cmpSeconds / oursBytesSeconds; }
    }

    /** Untimed runs first: the JIT needs a few to compile the walk (the cold first run is reported apart). */
    static final int WARMUP = 10;

    private final int runs;

    public DiffBench(int runs) {
        this.runs = Math.max(1, runs);
    }

    /**
     * A synthetic image of {@code dataBytes} and a copy with {@code changedPages} pages of its data area changed
     * (a few bytes each, spread out), as {@code a.ckpt} and {@code b.ckpt} in {@code dir}.
     */
    public static Path[] makePair(Path dir, long dataBytes, int changedPages, long seed) throws IOException {
        Path a = dir.resolve("a.ckpt"), b = dir.resolve("b.ckpt");
        SyntheticImage.Facts f = SyntheticImage.write(a, dataBytes, 0);
        Random r = new Random(seed);
        java.util.Set<Long> chosen = new java.util.TreeSet<>();
        while (chosen.size() < Math.min(changedPages, f.dataPages())) chosen.add(SyntheticImage.DATA + (long) r.nextInt((int) f.dataPages()) * CkptFormat.PAGE_SIZE);
        try (CkptReader src = CkptReader.open(a)) {
            ImageRewriter.rewrite(src, b, WriterOptions.defaults(WriterOptions.uuidFrom("diff-bench-b " + seed)), new ImageRewriter.Changes() {
                @Override
                public MemorySegment page(int pid, long vaddr, MemorySegment page) {
                    if (pid != SyntheticImage.WORKER || !chosen.contains(vaddr)) return page;
                    byte[] copy = page.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    copy[(int) (vaddr >>> 12) & 4095] ^= 0x55;
                    copy[100] ^= 0x01;
                    return MemorySegment.ofArray(copy);
                }
            });
        }
        return new Path[] {a, b};
    }

    public Result run(Path a, Path b, Path work) throws Exception {
        Path rawA = work.resolve("a.raw"), rawB = work.resolve("b.raw");
        long bytes, pages;
        try (CkptReader ra = CkptReader.open(a); CkptReader rb = CkptReader.open(b)) {
            bytes = new ForensicsBench(ra, 1, 1).writeRaw(rawA);
            new ForensicsBench(rb, 1, 1).writeRaw(rawB);
            pages = ra.pages().size();
        }
        long t0 = System.nanoTime();
        DiffReport first = diff(a, b, false);
        double firstSeconds = (System.nanoTime() - t0) / 1e9;
        // the two modes alternate, so neither profits from the JIT work of the other
        DiffReport[] withBytes = new DiffReport[1];
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        for (int i = 0; i < WARMUP + runs; i++) {
            double s0 = time(() -> diff(a, b, false));
            double s1 = time(() -> withBytes[0] = diff(a, b, true));
            if (i >= WARMUP) {
                best[0] = Math.min(best[0], s0);
                best[1] = Math.min(best[1], s1);
            }
        }
        double ours = best[0], oursBytes = best[1];
        catToNull(rawA);
        catToNull(rawB);
        long[] cmpCount = new long[1];
        double cmp = best(() -> cmpCount[0] = cmp(rawA, rawB));
        return new Result(bytes, pages, first.summary().pagesChanged(), firstSeconds, ours, oursBytes, cmp,
                withBytes[0].summary().bytesChanged(), cmpCount[0]);
    }

    private static DiffReport diff(Path a, Path b, boolean bytes) throws IOException {
        try (CkptReader ra = CkptReader.open(a); CkptReader rb = CkptReader.open(b)) {
            return ImageDiff.compare(a.toString(), ra, b.toString(), rb, DiffOptions.defaults().withBytes(bytes));
        }
    }

    interface Body {
        void run() throws Exception;
    }

    private static double time(Body body) throws Exception {
        long t0 = System.nanoTime();
        body.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private double best(Body body) throws Exception {
        for (int i = 0; i < WARMUP; i++) body.run();  // JIT and page cache
        double best = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            body.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    /** {@code cmp -l A B}: lines printed = differing bytes. */
    private static long cmp(Path a, Path b) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("cmp", "-l", a.toString(), b.toString())).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long lines = 0;
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) for (int i = 0; i < n; i++) if (buf[i] == '\n') lines++;
        }
        if (!p.waitFor(1, TimeUnit.HOURS)) p.destroyForcibly();
        return lines;
    }

    private static void catToNull(Path raw) throws IOException {
        try (InputStream in = Files.newInputStream(raw)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }
}
