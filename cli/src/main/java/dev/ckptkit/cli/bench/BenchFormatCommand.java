package dev.ckptkit.cli.bench;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.io.manifest.Manifest;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Writes and reads a large image and compares with copying the same bytes. The page source is a raw file of page
 * data: synthetic (make-large-image.sh's mix), or a real CRIU pages-N.img given with --raw.
 */
@Command(name = "format", mixinStandardHelpOptions = true, description = "CKPT write/read throughput vs copying the same bytes, page lookups/s, peak heap. "
        + "Run with CKPT_JAVA_OPTS=-Xmx256m to check the constant-heap goal.")
public final class BenchFormatCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--size-mib", defaultValue = "1024", description = "Size of the synthetic page data (default ${DEFAULT-VALUE}).")
    long sizeMib;

    @Option(names = "--raw", description = "Use this file of page data (e.g. a real CRIU pages-1.img) instead of synthetic data.")
    Path raw;

    @Option(names = "--dir", description = "Scratch directory (default: a temp dir; needs about 3x the size free).")
    Path dir;

    @Option(names = "--zstd", defaultValue = "0", description = "zstd level for the image (default 0: none).")
    int zstd;

    @Option(names = "--lookups", defaultValue = "2000000", description = "Random page lookups to time.")
    int lookups;

    @Option(names = "--keep", description = "Keep the scratch files.")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("ckpt-bench-");
        Path src = raw;
        Path copy = work.resolve("copy.bin"), image = work.resolve("bench.ckpt");
        try {
            if (src == null) {
                src = work.resolve("pages.raw");
                out.printf("generating %d MiB of synthetic page data...%n", sizeMib);
                out.flush();
                SyntheticPages.write(src, sizeMib * 256);
            }
            long bytes = Files.size(src) / 4096 * 4096;
            long pages = bytes / 4096;
            out.printf("page data: %s (%s, %d pages), heap max %s%n", src, Measure.mib(bytes), pages, Measure.mib(Measure.maxHeap()));

            final Path source = src;
            double tCopy = Measure.seconds(() -> {
                Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel c = FileChannel.open(copy, StandardOpenOption.WRITE)) { c.force(true); }
            });
            Files.deleteIfExists(copy);

            Measure.resetPeakHeap();
            double tWrite;
            long writeLive;
            try (Measure.LiveHeap live = new Measure.LiveHeap()) {
                tWrite = Measure.seconds(() -> writeImage(source, pages, image));
                writeLive = live.max();
            }
            long writeHeap = Measure.peakHeap();
            long imageBytes = Files.size(image);

            double tCat = Measure.seconds(() -> sumFile(source, bytes));
            Measure.resetPeakHeap();
            double[] tRead = new double[1];
            long[] lookupNs = new long[1];
            try (CkptReader r = CkptReader.open(image)) {
                PageStore ps = r.pages();
                tRead[0] = Measure.seconds(() -> sumPages(ps));
                lookupNs[0] = timeLookups(ps, pages, lookups);
            }
            long readHeap = Measure.peakHeap();

            out.printf("copy (Files.copy + fsync):   %6.2f s  %s%n", tCopy, Measure.rate(bytes, tCopy));
            out.printf("write CKPT (+ fsync):        %6.2f s  %s  = %.2fx copy   image %s (%.2fx of raw)%n"
                    + "                             heap: peak %s, live after GC at most %s%n",
                    tWrite, Measure.rate(bytes, tWrite), tCopy / tWrite, Measure.mib(imageBytes), (double) imageBytes / bytes,
                    Measure.mib(writeHeap), Measure.mib(writeLive));
            out.printf("read raw file sequentially:  %6.2f s  %s%n", tCat, Measure.rate(bytes, tCat));
            out.printf("read all pages via index:    %6.2f s  %s  = %.2fx raw read  peak heap %s%n",
                    tRead[0], Measure.rate(bytes, tRead[0]), tCat / tRead[0], Measure.mib(readHeap));
            out.printf("random page lookups:         %.0f lookups/s (%d lookups, find + read 4 KiB)%n",
                    lookups / (lookupNs[0] / 1e9), lookups);
            return 0;
        } finally {
            if (!keep) {
                Files.deleteIfExists(copy);
                Files.deleteIfExists(image);
                if (raw == null && src != null) Files.deleteIfExists(src);
                if (dir == null) Files.deleteIfExists(work);
            }
        }
    }

    private void writeImage(Path src, long pages, Path image) throws Exception {
        WriterOptions o = WriterOptions.defaults(WriterOptions.uuidFrom("bench")).withZstd(zstd);
        try (CkptWriter w = CkptWriter.create(image, o);
             FileChannel in = FileChannel.open(src, StandardOpenOption.READ);
             Arena arena = Arena.ofConfined()) {
            long base = 0x7f0000000000L, chunk = 64L << 20;
            for (long off = 0; off < pages * 4096; off += chunk) {
                long len = Math.min(chunk, pages * 4096 - off);
                MemorySegment m = in.map(FileChannel.MapMode.READ_ONLY, off, len, arena);
                for (long p = 0; p < len; p += 4096) w.pages().add(1, base + off + p, m.asSlice(p, 4096));
            }
            w.manifest(Manifest.minimal("bench", "kernel"));
            w.commit();
        }
    }

    private static long sumFile(Path src, long bytes) throws Exception {
        long sum = 0;
        try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment m = in.map(FileChannel.MapMode.READ_ONLY, 0, bytes, arena);
            for (long p = 0; p < bytes; p += 64) sum += m.get(ValueLayout.JAVA_LONG_UNALIGNED, p);
        }
        return sum;
    }

    /** Touches every dumped page through the index, as an analyzer does. */
    private static long sumPages(PageStore ps) throws Exception {
        long sum = 0;
        for (long i = 0; i < ps.size(); i++) {
            long ref = ps.pageAt(i);
            if (ref < 0) continue;
            MemorySegment pg = ps.page(ref);
            for (long p = 0; p < 4096; p += 64) sum += pg.get(ValueLayout.JAVA_LONG_UNALIGNED, p);
        }
        return sum;
    }

    private static long timeLookups(PageStore ps, long pages, int n) throws Exception {
        Random r = new Random(1);
        byte[] buf = new byte[4096];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long va = 0x7f0000000000L + (r.nextLong(pages) << 12);
            ps.read(1, va, buf, 0);
        }
        return System.nanoTime() - t0;
    }
}
