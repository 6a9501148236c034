package dev.ckptkit.cli;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.backend.Progress;
import dev.ckptkit.io.AtomicFiles;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.WriterOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * CRIU import/export throughput against the tools a user would otherwise run on the same image directory:
 * {@code cp -r} of the directory (uncompressed import and export), {@code zstd -1} of its pages files (compressed
 * import: speed and size), plus the peak Java heap of each operation. Every timing is the best of {@code runs}
 * runs, with the input already in the page cache (read once before measuring) so that disk speed cancels out.
 */
public final class BenchCriu {
    /** One image's figures; times in seconds, sizes in bytes, ratios > 1 mean ckpt is faster/smaller. */
    public record Result(String image, long dirBytes, long pagesBytes, double cpSeconds, double cpSyncSeconds, double importSeconds,
                         double importCpuSeconds, double zstdImportCpuSeconds,
                         double exportSeconds, double zstdImportSeconds, double zstdCliSeconds, long ckptBytes,
                         long ckptZstdBytes, long zstdCliBytes, long heapPeakImport, long heapPeakZstdImport,
                         long heapPeakExport, long maxHeap, boolean exportIdentical, int zstdLevel, int threads,
                         double noDedupImportSeconds, double noDedupImportCpuSeconds, long ckptNoDedupBytes) {
        /** import speed as a multiple of cp's (goal >= 0.5) */
        public double importVsCp() { return cpSeconds / importSeconds; }

        public double exportVsCp() { return cpSeconds / exportSeconds; }

        /** import speed as a multiple of cp's when both end with the data on disk */
        public double importVsCpSync() { return cpSyncSeconds / importSeconds; }

        /** the same without dedup (no page hashing, every non-zero page stored), as {@code convert --no-dedup} */
        public double noDedupImportVsCp() { return cpSeconds / noDedupImportSeconds; }

        public double noDedupImportVsCpSync() { return cpSyncSeconds / noDedupImportSeconds; }

        /** compressed import speed as a multiple of zstd -1's (goal >= 1.5) */
        public double zstdImportVsZstd() { return zstdCliSeconds / zstdImportSeconds; }

        /** compressed CKPT size over zstd -1's output (goal <= 0.85) */
        public double zstdSizeRatio() { return (double) ckptZstdBytes / zstdCliBytes; }
    }

    private final Backend criu;
    private final Path work;
    private final int runs;
    private final int zstdLevel;
    private final int threads;

    public BenchCriu(Backend criu, Path work, int runs, int zstdLevel, int threads) {
        this.criu = criu;
        this.work = work;
        this.runs = runs;
        this.zstdLevel = zstdLevel;
        this.threads = threads;
    }

    public Result run(Path dir) throws IOException, InterruptedException {
        List<Path> pages = pagesFiles(dir);
        long dirBytes = size(dir);
        long pagesBytes = 0;
        for (Path p : pages) pagesBytes += Files.size(p);
        warm(dir);
        Path cpOut = work.resolve("cp-copy");
        double cp = best(() -> {
            AtomicFiles.deleteTree(cpOut);
            exec(List.of("cp", "-r", dir.toString(), cpOut.toString()));
        }, () -> AtomicFiles.deleteTree(cpOut));
        // the CKPT writer forces its output to disk before the rename (atomic, durable); so does this baseline
        double cpSync = best(() -> {
            AtomicFiles.deleteTree(cpOut);
            exec(List.of("cp", "-r", dir.toString(), cpOut.toString()));
            List<String> sync = new ArrayList<>(List.of("sync"));
            try (Stream<Path> s = Files.walk(cpOut)) {
                s.filter(Files::isRegularFile).forEach(f -> sync.add(f.toString()));
            }
            exec(sync);
        }, () -> AtomicFiles.deleteTree(cpOut));
        Path plain = work.resolve("plain.ckpt");
        Path zstd = work.resolve("zstd.ckpt");
        long[] heap = new long[3];
        double[] cpu = new double[3];
        double imp = best(() -> heap[0] = Math.max(heap[0], importInto(dir, plain, 0, true)), null, c -> cpu[0] = c);
        double impZ = best(() -> heap[1] = Math.max(heap[1], importInto(dir, zstd, zstdLevel, true)), null, c -> cpu[1] = c);
        Path noDedup = work.resolve("no-dedup.ckpt");
        double impN = best(() -> heap[0] = Math.max(heap[0], importInto(dir, noDedup, 0, false)), null, c -> cpu[2] = c);
        long noDedupBytes = Files.size(noDedup);
        Files.deleteIfExists(noDedup);
        Path exported = work.resolve("exported");
        double exp;
        boolean identical;
        try (CkptReader r = CkptReader.open(plain)) {
            exp = best(() -> {
                AtomicFiles.deleteTree(exported);
                heap[2] = Math.max(heap[2], measureHeap(() -> criu.exportImage(r, exported, ExportOptions.none())));
            }, null);
            identical = sameFiles(dir, exported);
            AtomicFiles.deleteTree(exported);
        }
        Path zOut = work.resolve("pages.zst");
        long[] zBytes = new long[1];
        double zcli = best(() -> {
            zBytes[0] = 0;
            for (Path p : pages) {
                exec(List.of("zstd", "-" + zstdLevel, "-q", "-f", p.toString(), "-o", zOut.toString()));
                zBytes[0] += Files.size(zOut);
            }
        }, () -> Files.deleteIfExists(zOut));
        Result res = new Result(dir.toString(), dirBytes, pagesBytes, cp, cpSync, imp, cpu[0], cpu[1], exp, impZ, zcli, Files.size(plain),
                Files.size(zstd), zBytes[0], heap[0], heap[1], heap[2], Runtime.getRuntime().maxMemory(), identical,
                zstdLevel, threads, impN, cpu[2], noDedupBytes);
        Files.deleteIfExists(plain);
        Files.deleteIfExists(zstd);
        return res;
    }

    private long importInto(Path dir, Path out, int level, boolean dedup) throws Exception {
        WriterOptions o = WriterOptions.defaults(WriterOptions.uuidFrom("bench")).withZstd(level).withThreads(threads).withDedup(dedup);
        return measureHeap(() -> criu.importImage(dir, new ImportContext(out, o, null, Map.of(), Progress.NONE)));
    }

    interface Action {
        void run() throws Exception;
    }

    /** Peak heap use during {@code a}: the JVM's heap pool peaks, reset after a GC before it starts. */
    static long measureHeap(Action a) throws Exception {
        System.gc();
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        for (MemoryPoolMXBean p : pools) p.resetPeakUsage();
        a.run();
        long peak = 0;
        for (MemoryPoolMXBean p : pools) peak += p.getPeakUsage().getUsed();
        return peak;
    }

    private double best(Action a, Action after) throws IOException {
        return best(a, after, c -> { });
    }

    /** Best wall time of {@code runs}; {@code cpuOfBest} gets the process CPU seconds of that run (all threads). */
    private double best(Action a, Action after, java.util.function.DoubleConsumer cpuOfBest) throws IOException {
        double best = Double.MAX_VALUE;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try {
            for (int i = 0; i < runs; i++) {
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                a.run();
                double t = (System.nanoTime() - t0) / 1e9;
                if (t < best) {
                    best = t;
                    cpuOfBest.accept((os.getProcessCpuTime() - c0) / 1e9);
                }
            }
            if (after != null) after.run();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        return best;
    }

    static List<Path> pagesFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("pages-")).sorted().toList();
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            long n = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) n += Files.size(p);
            return n;
        }
    }

    /** Reads every file once so that all contenders find the input in the page cache. */
    private static void warm(Path dir) throws IOException {
        byte[] buf = new byte[1 << 20];
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                try (var in = Files.newInputStream(p)) {
                    while (in.read(buf) > 0) { /* just read */ }
                }
            }
        }
    }

    private static boolean sameFiles(Path a, Path b) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(a)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            Path o = b.resolve(a.relativize(f).toString());
            if (!Files.exists(o) || Files.mismatch(f, o) != -1) return false;
        }
        try (Stream<Path> s = Files.walk(b)) {
            return s.filter(Files::isRegularFile).count() == files.size();
        }
    }

    private static void exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue());
    }

    /** The figures as an aligned text table, with the goals of the CRIU issue beside them. */
    public static String table(List<Result> results) {
        StringBuilder b = new StringBuilder();
        for (Result r : results) {
            b.append(String.format("%s  (%s: %s of pages in %s)%n", r.image(), Sizes.human(r.dirBytes()), Sizes.human(r.pagesBytes()),
                    "image dir"));
            b.append(String.format("  cp -r                %8.3f s  %8.1f MiB/s%n", r.cpSeconds(), mibs(r.dirBytes(), r.cpSeconds())));
            b.append(String.format("  cp -r + fsync        %8.3f s  %8.1f MiB/s%n", r.cpSyncSeconds(), mibs(r.dirBytes(), r.cpSyncSeconds())));
            b.append(String.format("  import               %8.3f s  %8.1f MiB/s  %5.2fx cp   (goal >= 0.50x)  %5.2fx cp+fsync  -> %s  (CPU %.2f s)%n", r.importSeconds(),
                    mibs(r.dirBytes(), r.importSeconds()), r.importVsCp(), r.importVsCpSync(), Sizes.human(r.ckptBytes()), r.importCpuSeconds()));
            b.append(String.format("  import --no-dedup    %8.3f s  %8.1f MiB/s  %5.2fx cp                    %5.2fx cp+fsync  -> %s  (CPU %.2f s)%n",
                    r.noDedupImportSeconds(), mibs(r.dirBytes(), r.noDedupImportSeconds()), r.noDedupImportVsCp(),
                    r.noDedupImportVsCpSync(), Sizes.human(r.ckptNoDedupBytes()), r.noDedupImportCpuSeconds()));
            b.append(String.format("  export               %8.3f s  %8.1f MiB/s  %5.2fx cp   byte-identical: %s%n", r.exportSeconds(),
                    mibs(r.dirBytes(), r.exportSeconds()), r.exportVsCp(), r.exportIdentical() ? "yes" : "NO"));
            b.append(String.format("  zstd -%d pages        %8.3f s  %8.1f MiB/s              -> %s%n", r.zstdLevel(), r.zstdCliSeconds(),
                    mibs(r.pagesBytes(), r.zstdCliSeconds()), Sizes.human(r.zstdCliBytes())));
            b.append(String.format("  import --zstd %d      %8.3f s  %8.1f MiB/s  %5.2fx zstd (goal >= 1.50x)  -> %s = %.2fx zstd size (goal <= 0.85x)  (CPU %.2f s)%n",
                    r.zstdLevel(), r.zstdImportSeconds(), mibs(r.dirBytes(), r.zstdImportSeconds()), r.zstdImportVsZstd(),
                    Sizes.human(r.ckptZstdBytes()), r.zstdSizeRatio(), r.zstdImportCpuSeconds()));
            b.append(String.format("  heap peak            import %s, import --zstd %s, export %s (max heap %s, %d threads)%n",
                    Sizes.human(r.heapPeakImport()), Sizes.human(r.heapPeakZstdImport()), Sizes.human(r.heapPeakExport()),
                    Sizes.human(r.maxHeap()), r.threads()));
        }
        return b.toString();
    }

    private static double mibs(long bytes, double s) {
        return bytes / 1048576.0 / s;
    }
}
