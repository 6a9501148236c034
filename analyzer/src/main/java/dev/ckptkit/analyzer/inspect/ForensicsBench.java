package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of strings and grep over an image's dumped memory against GNU strings and GNU grep over the same
 * bytes written out raw (every dumped page in index order, zero pages included), in the same run. Every tool's
 * output goes through formatting (ours like the CLI prints it) and is discarded; each figure is the best of a few
 * runs after a warm-up, with the raw file and the image in the page cache.
 */
public final class ForensicsBench {
    /** One measured pair. {@code ours} and {@code gnu} are the counts each reported, as a sanity check. */
    public record Result(String what, long bytes, double oursSeconds, double gnuSeconds, long ours, long gnu, String gnuCommand) {
        public double oursMiBs() { return bytes / 1048576.0 / oursSeconds; }

        public double gnuMiBs() { return bytes / 1048576.0 / gnuSeconds; }

        /** How many times faster ours is (>= 1 means at least as fast as GNU). */
        public double ratio() { return gnuSeconds / oursSeconds; }
    }

    private final CkptReader reader;
    private final int threads;
    private final int runs;

    public ForensicsBench(CkptReader reader, int threads, int runs) {
        this.reader = reader;
        this.threads = threads;
        this.runs = Math.max(1, runs);
    }

    /** Writes every dumped page (zero pages as zeros, absent pages left out) to {@code out}; returns its size. */
    public long writeRaw(Path out) throws IOException {
        PageStore ps = reader.pages();
        byte[] zero = new byte[CkptFormat.PAGE_SIZE];
        long n = 0;
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long i = 0, size = ps.size(); i < size; i++) {
                long page = ps.pageAt(i);
                if (page == CkptFormat.PAGE_ABSENT) continue;
                ByteBuffer b = page == CkptFormat.PAGE_ZERO ? ByteBuffer.wrap(zero) : ps.page(page).asByteBuffer();
                while (b.hasRemaining()) ch.write(b);
                n += CkptFormat.PAGE_SIZE;
            }
        }
        return n;
    }

    public List<Result> run(Path raw, long bytes, String literal, String regex) throws Exception {
        var pids = new Inspector(reader).pids();
        List<Result> out = new ArrayList<>();
        catToNull(raw);
        List<String> ascii = List.of("strings", "-a", "-n", "4", raw.toString());
        List<String> utf16 = List.of("strings", "-a", "-n", "4", "-e", "l", raw.toString());
        out.add(measure("strings ascii", bytes, () -> strings(pids, EnumSet.of(Strings.Encoding.ASCII)), List.of(ascii), false));
        out.add(measure("strings ascii+utf16le", bytes, () -> strings(pids, EnumSet.allOf(Strings.Encoding.class)),
                List.of(ascii, utf16), false));
        out.add(measure("grep literal '" + literal + "'", bytes, () -> grep(pids, BytePattern.regex(literal, false)),
                List.of(List.of("grep", "-a", "-c", "-F", literal, raw.toString())), true));
        out.add(measure("grep regex '" + regex + "'", bytes, () -> grep(pids, BytePattern.regex(regex, false)),
                List.of(List.of("grep", "-a", "-c", "-E", regex, raw.toString())), true));
        return out;
    }

    interface Counted {
        long run() throws Exception;
    }

    /** {@code gnu} commands run one after the other (GNU strings does one encoding per pass). */
    private Result measure(String what, long bytes, Counted ours, List<List<String>> gnu, boolean gnuCountsOnStdout) throws Exception {
        long oursCount = ours.run();  // warm-up: JIT, page cache
        double bestOurs = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            oursCount = ours.run();
            bestOurs = Math.min(bestOurs, (System.nanoTime() - t0) / 1e9);
        }
        long gnuCount = 0;
        for (List<String> c : gnu) external(c, gnuCountsOnStdout);
        double bestGnu = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            gnuCount = 0;
            for (List<String> c : gnu) gnuCount += external(c, gnuCountsOnStdout);
            bestGnu = Math.min(bestGnu, (System.nanoTime() - t0) / 1e9);
        }
        return new Result(what, bytes, bestOurs, bestGnu, oursCount, gnuCount,
                String.join(" ; ", gnu.stream().map(c -> "LC_ALL=C " + String.join(" ", c)).toList()));
    }

    /** Runs with LC_ALL=C (GNU grep's fastest setting); returns the count it prints, or the lines it prints. */
    private static long external(List<String> cmd, boolean countOnStdout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        long lines = 0;
        StringBuilder last = new StringBuilder();
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) if (buf[i] == '\n') lines++;
                if (countOnStdout) last.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            }
        }
        if (!p.waitFor(1, TimeUnit.HOURS)) p.destroyForcibly();
        return countOnStdout ? Long.parseLong(last.toString().trim()) : lines;
    }

    private static void catToNull(Path raw) throws IOException {
        try (InputStream in = Files.newInputStream(raw)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    /** Runs strings and formats every hit as the CLI does ({@link StringHit#line()}), into a sink that drops it. */
    private long strings(java.util.Set<Integer> pids, java.util.Set<Strings.Encoding> enc) throws IOException {
        long[] n = {0, 0};
        new Strings(reader, 4, enc, threads).runLines(pids, c -> {
            n[0] += c.count();
            n[1] += c.text().length();
        });
        return n[0];
    }

    private long grep(java.util.Set<Integer> pids, BytePattern p) throws IOException {
        long[] n = {0};
        new Grep(reader, p, 0, threads).run(pids, h -> n[0]++);
        return n[0];
    }
}
