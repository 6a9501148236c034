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
    /**
     * What the import is compared with; seconds and bytes. The {@code Sync} figures end with the copy forced to disk,
     * as a durable import's output is; the others leave it in the page cache, as {@code --no-sync} does.
     */
    public record Baselines(double cpSeconds, double cpSyncSeconds, int zstdLevel, double zstdSeconds, double zstdSyncSeconds,
                            long zstdBytes) {}

    /** One way of importing (the {@code convert} options it stands for) and its figures. */
    public record Import(String options, boolean dedup, int zstdLevel, boolean sync, double seconds, double cpuSeconds,
                         long bytes, long heapPeak) {
        /** Speed as a multiple of the tool doing the same work with the same durability: cp or zstd, synced or not. */
        public double speedVs(Baselines b) {
            double base = zstdLevel > 0 ? (sync ? b.zstdSyncSeconds() : b.zstdSeconds()) : (sync ? b.cpSyncSeconds() : b.cpSeconds());
            return base / seconds;
        }

        /** Size over zstd's output (meaningful when compressed). */
        public double sizeVs(Baselines b) { return (double) bytes / b.zstdBytes(); }

        String baselineName(Baselines b) {
            return (zstdLevel > 0 ? "zstd -" + b.zstdLevel() : "cp -r") + (sync ? " + fsync" : "");
        }
    }

    /** One image's figures; times in seconds, sizes in bytes, ratios > 1 mean ckpt is faster. */
    public record Result(String image, long dirBytes, long pagesBytes, Baselines baselines, List<Import> imports,
                         double exportSeconds, long heapPeakExport, boolean exportIdentical, long maxHeap, int threads) {
        public double exportVsCp() { return baselines.cpSeconds() / exportSeconds; }
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

    public Result run(Path dir) throws Exception {
        List<Path> pages = pagesFiles(dir);
        long dirBytes = size(dir);
        long pagesBytes = 0;
        for (Path p : pages) pagesBytes += Files.size(p);
        warm(dir);
        Path cpOut = work.resolve("cp-copy");
        Action clearCp = () -> AtomicFiles.deleteTree(cpOut);
        double cp = best(clearCp, () -> exec(List.of("cp", "-r", dir.toString(), cpOut.toString())));
        double cpSync = best(clearCp, () -> {
            exec(List.of("cp", "-r", dir.toString(), cpOut.toString()));
            syncFiles(cpOut);
        });
        Path zOut = work.resolve("pages.zst");
        Action clearZ = () -> Files.deleteIfExists(zOut);
        long[] zBytes = new long[1];
        double zcli = best(clearZ, () -> zBytes[0] = zstdPages(pages, zOut, false));
        double zcliSync = best(clearZ, () -> zstdPages(pages, zOut, true));
        Baselines base = new Baselines(cp, cpSync, zstdLevel, zcli, zcliSync, zBytes[0]);
        List<Import> imports = new ArrayList<>();
        for (boolean sync : new boolean[] {true, false}) {
            imports.add(measureImport(dir, true, 0, sync));
            imports.add(measureImport(dir, false, 0, sync));
            imports.add(measureImport(dir, true, zstdLevel, sync));
        }
        Path plain = work.resolve("plain.ckpt");
        importInto(dir, plain, new ImportVariant(true, 0, false));
        long[] heap = new long[1];
        Path exported = work.resolve("exported");
        double exp;
        boolean[] identical = new boolean[1];
        try (CkptReader r = CkptReader.open(plain)) {
            exp = best(() -> AtomicFiles.deleteTree(exported),
                    () -> heap[0] = Math.max(heap[0], measureHeap(() -> criu.exportImage(r, exported, ExportOptions.none()))),
                    c -> { }, () -> identical[0] = sameFiles(dir, exported));
        }
        Files.deleteIfExists(plain);
        return new Result(dir.toString(), dirBytes, pagesBytes, base, imports, exp, heap[0], identical[0],
                Runtime.getRuntime().maxMemory(), threads);
    }

    private record ImportVariant(boolean dedup, int zstdLevel, boolean sync) {
        String options() {
            List<String> o = new ArrayList<>();
            if (!dedup) o.add("--no-dedup");
            if (zstdLevel > 0) o.add("--zstd " + zstdLevel);
            if (!sync) o.add("--no-sync");
            return String.join(" ", o);
        }
    }

    private Import measureImport(Path dir, boolean dedup, int level, boolean sync) throws IOException {
        ImportVariant v = new ImportVariant(dedup, level, sync);
        Path out = work.resolve("import.ckpt");
        long[] heap = new long[1];
        double[] cpu = new double[1];
        long[] bytes = new long[1];
        double t = best(() -> Files.deleteIfExists(out), () -> heap[0] = Math.max(heap[0], importInto(dir, out, v)),
                c -> cpu[0] = c, () -> bytes[0] = Files.size(out));
        return new Import(v.options(), dedup, level, sync, t, cpu[0], bytes[0], heap[0]);
    }

    /** zstd of every pages file, as the CLI does it; the total output size. */
    private long zstdPages(List<Path> pages, Path out, boolean sync) throws IOException, InterruptedException {
        long total = 0;
        for (Path p : pages) {
            exec(List.of("zstd", "-" + zstdLevel, "-q", "-f", p.toString(), "-o", out.toString()));
            if (sync) exec(List.of("sync", out.toString()));
            total += Files.size(out);
        }
        return total;
    }

    private static void syncFiles(Path dir) throws IOException, InterruptedException {
        List<String> sync = new ArrayList<>(List.of("sync"));
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(f -> sync.add(f.toString()));
        }
        exec(sync);
    }

    private long importInto(Path dir, Path out, ImportVariant v) throws Exception {
        WriterOptions o = WriterOptions.defaults(WriterOptions.uuidFrom("bench")).withZstd(v.zstdLevel()).withThreads(threads)
                .withDedup(v.dedup()).withSync(v.sync());
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

    private double best(Action clear, Action a) throws IOException {
        return best(clear, a, c -> { }, () -> { });
    }

    /**
     * Best wall time of {@code runs} of {@code a}; {@code cpuOfBest} gets the process CPU seconds of that run (all
     * threads). {@code clear} removes the output before each run and after the last, untimed: replacing or deleting
     * a gigabyte of page cache is work of its own, which no contender should be charged with; {@code check} looks at
     * the last run's output before it goes.
     */
    private double best(Action clear, Action a, java.util.function.DoubleConsumer cpuOfBest, Action check) throws IOException {
        double best = Double.MAX_VALUE;
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try {
            for (int i = 0; i < runs; i++) {
                clear.run();
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                a.run();
                double t = (System.nanoTime() - t0) / 1e9;
                if (t < best) {
                    best = t;
                    cpuOfBest.accept((os.getProcessCpuTime() - c0) / 1e9);
                }
            }
            check.run();
            clear.run();
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
            Baselines base = r.baselines();
            b.append(String.format("%s  (%s: %s of pages in image dir)%n", r.image(), Sizes.human(r.dirBytes()), Sizes.human(r.pagesBytes())));
            row(b, "cp -r", base.cpSeconds(), r.dirBytes(), "");
            row(b, "cp -r + fsync", base.cpSyncSeconds(), r.dirBytes(), "");
            row(b, "zstd -" + base.zstdLevel() + " pages", base.zstdSeconds(), r.pagesBytes(), "-> " + Sizes.human(base.zstdBytes()));
            row(b, "zstd -" + base.zstdLevel() + " pages + fsync", base.zstdSyncSeconds(), r.pagesBytes(), "");
            for (Import i : r.imports()) {
                // the goals: uncompressed import >= 0.5x cp, compressed >= 1.5x zstd, each against the tool alone
                String goal = i.sync() ? "" : i.zstdLevel() > 0 ? " (goal >= 1.50x)" : " (goal >= 0.50x)";
                String size = i.zstdLevel() > 0 ? String.format(" = %.2fx zstd size%s", i.sizeVs(base), i.sync() ? "" : " (goal <= 0.85x)") : "";
                row(b, ("import " + i.options()).trim(), i.seconds(), r.dirBytes(), String.format("%5.2fx %s%s  -> %s%s  (CPU %.2f s, heap %s)",
                        i.speedVs(base), i.baselineName(base), goal, Sizes.human(i.bytes()), size, i.cpuSeconds(), Sizes.human(i.heapPeak())));
            }
            row(b, "export", r.exportSeconds(), r.dirBytes(), String.format("%5.2fx cp -r  byte-identical: %s  (heap %s)",
                    r.exportVsCp(), r.exportIdentical() ? "yes" : "NO", Sizes.human(r.heapPeakExport())));
            b.append(String.format("  (max heap %s, %d threads; best of each; import without --no-sync ends durable, as the + fsync rows)%n",
                    Sizes.human(r.maxHeap()), r.threads()));
        }
        return b.toString();
    }

    private static void row(StringBuilder b, String what, double seconds, long bytes, String rest) {
        b.append(String.format("  %-34s %7.3f s %8.1f MiB/s  %s%n", what, seconds, mibs(bytes, seconds), rest));
    }

    private static double mibs(long bytes, double s) {
        return bytes / 1048576.0 / s;
    }
}
