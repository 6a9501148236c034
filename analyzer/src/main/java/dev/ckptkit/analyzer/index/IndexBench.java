package dev.ckptkit.analyzer.index;

import dev.ckptkit.analyzer.diff.ImageRewriter;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.TableCodec;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Indexing rate and query latency over a family of images made by varying base images (real or synthetic):
 * each variant gets other command names, environment, file paths, host, capture time, and a few pages with a
 * variant-specific text, so documents, strings and page hashes differ from image to image.
 */
public final class IndexBench {
    static final String[] NAMES = {"nginx", "postgres", "redis-server", "python3", "java", "sshd", "node", "bash", "memcached", "envoy"};

    public record Latency(String query, double p50Ms, double p99Ms, double maxMs, long hits) {}

    public record Result(int images, long imageBytes, double indexSeconds, double reindexSeconds, int documents, long indexBytes,
                         int queries, double p50Ms, double p99Ms, double maxMs, List<Latency> perQuery) {
        public double imagesPerSecond() { return images / indexSeconds; }

        public double mibPerSecond() { return imageBytes / 1048576.0 / indexSeconds; }
    }

    /** Writes {@code n} variants of the bases (round robin) into {@code dir}; returns their paths. */
    public static List<Path> makeVariants(List<Path> bases, int n, Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        List<CkptReader> readers = new ArrayList<>();
        try {
            for (Path b : bases) readers.add(CkptReader.open(b));
            for (int i = 0; i < n; i++) {
                Path p = dir.resolve(String.format("variant-%04d.ckpt", i));
                ImageRewriter.rewrite(readers.get(i % readers.size()), p,
                        WriterOptions.defaults(WriterOptions.uuidFrom("index-bench " + i)).withThreads(1), new Variant(i));
                out.add(p);
            }
        } finally {
            for (CkptReader r : readers) r.close();
        }
        return out;
    }

    /** The changes that make variant {@code i}. */
    private record Variant(int i) implements ImageRewriter.Changes {
        @Override
        @SuppressWarnings("unchecked")
        public <T extends Record> List<T> rows(TableCodec<T> table, List<T> rows) {
            if (table == Tables.PROCESSES) {
                List<ProcessRow> out = new ArrayList<>();
                int k = 0;
                for (ProcessRow p : (List<ProcessRow>) rows) {
                    List<String> env = new ArrayList<>(p.env() == null ? List.of() : p.env());
                    env.addAll(List.of("HOSTNAME=host-" + (i % 50), "VARIANT=" + i, "ROLE=" + NAMES[(i + 3) % NAMES.length]));
                    List<String> argv = new ArrayList<>(p.cmdline() == null ? List.of() : p.cmdline());
                    argv.add("--instance=" + i);
                    out.add(new ProcessRow(p.pid(), p.ppid(), p.pgid(), p.sid(), NAMES[(i + k++) % NAMES.length], p.exe(), argv, env,
                            p.uid(), p.euid(), p.suid(), p.fsuid(), p.gid(), p.egid(), p.sgid(), p.fsgid(), p.groups(), p.capEff(),
                            p.capPrm(), p.cwd(), p.root(), p.state(), p.exitCode(), p.threads()));
                }
                return (List<T>) out;
            }
            if (table == Tables.FILES) {
                List<FileRow> out = new ArrayList<>();
                for (FileRow f : (List<FileRow>) rows) {
                    String path = f.path() != null && f.type().equals("reg") ? f.path() + "." + (i % 30) : f.path();
                    out.add(new FileRow(f.id(), f.type(), path, f.flags(), f.pos(), f.size(), f.mode(), f.inode(), f.dev(), f.deleted(), f.attachment(), f.buildId()));
                }
                return (List<T>) out;
            }
            return rows;
        }

        @Override
        public MemorySegment page(int pid, long vaddr, MemorySegment page) {
            if (((vaddr >>> 12) + i) % 64 != 0) return page;
            byte[] b = page.toArray(ValueLayout.JAVA_BYTE);
            Random r = new Random(i * 31L + vaddr);
            String text = "\0CKPT-VARIANT-" + i + " user-" + (i % 97) + " token-" + Long.toHexString(r.nextLong()) + "\0";
            byte[] t = text.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(t, 0, b, 200, t.length);
            return MemorySegment.ofArray(b);
        }

        @Override
        public Manifest manifest(Manifest m) {
            Manifest.Host h = m.host();
            Manifest.Host host = new Manifest.Host("host-" + (i % 50), h == null ? null : h.kernelRelease(), h == null ? "x86_64" : h.arch(),
                    h == null ? 4096 : h.pageSize(), null, null, null, null, null);
            Map<String, String> labels = new LinkedHashMap<>(m.labels() == null ? Map.of() : m.labels());
            labels.put("variant", Integer.toString(i));
            return new Manifest(m.schema(), m.producer(), m.style(), host,
                    java.time.Instant.parse("2026-11-01T00:00:00Z").plusSeconds(60L * i).toString(), m.processTree(), m.counts(), labels);
        }
    }

    private final IndexOptions options;

    public IndexBench(IndexOptions options) {
        this.options = options;
    }

    public Result run(List<Path> images, Path indexDir, int queries) throws IOException {
        long bytes = 0;
        for (Path p : images) bytes += Files.size(p);
        long t0 = System.nanoTime();
        try (ImageIndex idx = new ImageIndex(indexDir, options)) {
            for (Path p : images) idx.add(p, IndexBench::open, null);
        }
        double indexSeconds = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        try (ImageIndex idx = new ImageIndex(indexDir, options)) {
            for (Path p : images) idx.add(p, IndexBench::open, null);
        }
        double reindexSeconds = (System.nanoTime() - t0) / 1e9;
        long indexBytes;
        try (Stream<Path> s = Files.walk(indexDir)) {
            indexBytes = s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
        List<String[]> templates = templates(images);
        try (IndexSearch search = new IndexSearch(indexDir)) {
            Random r = new Random(1);
            for (int k = 0; k < 300; k++) search.search(query(templates.get(k % templates.size()), r, images.size()), 20);  // warm-up
            List<double[]> per = new ArrayList<>();
            long[] hits = new long[templates.size()];
            for (int t = 0; t < templates.size(); t++) per.add(new double[0]);
            double[] all = new double[queries];
            for (int k = 0; k < queries; k++) {
                int t = k % templates.size();
                String q = query(templates.get(t), r, images.size());
                long q0 = System.nanoTime();
                IndexSearch.Result res = search.search(q, 20);
                double ms = (System.nanoTime() - q0) / 1e6;
                all[k] = ms;
                double[] a = per.get(t);
                a = Arrays.copyOf(a, a.length + 1);
                a[a.length - 1] = ms;
                per.set(t, a);
                hits[t] += res.totalHits();
            }
            List<Latency> lat = new ArrayList<>();
            for (int t = 0; t < templates.size(); t++) {
                double[] a = per.get(t);
                lat.add(new Latency(templates.get(t)[0], pct(a, 50), pct(a, 99), pct(a, 100), a.length == 0 ? 0 : hits[t] / a.length));
            }
            return new Result(images.size(), bytes, indexSeconds, reindexSeconds, search.documents(), indexBytes, queries,
                    pct(all, 50), pct(all, 99), pct(all, 100), lat);
        }
    }

    private static ImageIndex.Opened open(Path p) throws IOException {
        CkptReader r = CkptReader.open(p);
        return new ImageIndex.Opened(r, r::close);
    }

    /** Query templates: {i} is a variant number, {h} a page hash from the images. */
    private static List<String[]> templates(List<Path> images) throws IOException {
        List<String> hashes = new ArrayList<>();
        for (int k = 0; k < Math.min(images.size(), 20); k++) {
            try (CkptReader r = CkptReader.open(images.get(k * images.size() / Math.min(images.size(), 20)))) {
                PageStore ps = r.pages();
                for (long i = 0; i < ps.size() && hashes.size() < (k + 1) * 5; i += Math.max(1, ps.size() / 5)) {
                    long page = ps.pageAt(i);
                    if (page >= 0) hashes.add(HexFormat.of().formatHex(ps.hash(page)));
                }
            }
        }
        List<String[]> t = new ArrayList<>();
        t.add(new String[] {"comm:nginx AND env:PATH*"});
        t.add(new String[] {"string:\"CKPT-VARIANT-{i}\""});
        t.add(new String[] {"CKPT-MARKER-1"});
        t.add(new String[] {"env:VARIANT={i}"});
        t.add(new String[] {"host:host-{i50} AND doc:image"});
        t.add(new String[] {"file:*secret* OR file:/tmp/*"});
        t.add(new String[] {"pid:[100 TO 30000] AND comm:java"});
        t.add(new String[] {"library:*libc.so*"});
        t.add(new String[] {"string:token*"});
        if (!hashes.isEmpty()) t.add(new String[] {"page:{h}", String.join(",", hashes)});
        return t;
    }

    private static String query(String[] template, Random r, int images) {
        String q = template[0].replace("{i50}", Integer.toString(r.nextInt(50))).replace("{i}", Integer.toString(r.nextInt(images)));
        if (template.length > 1) {
            String[] h = template[1].split(",");
            q = q.replace("{h}", h[r.nextInt(h.length)]);
        }
        return q;
    }

    private static double pct(double[] a, int p) {
        if (a.length == 0) return 0;
        double[] s = a.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))];
    }
}
