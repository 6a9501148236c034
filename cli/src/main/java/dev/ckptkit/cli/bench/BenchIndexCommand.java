package dev.ckptkit.cli.bench;

import dev.ckptkit.analyzer.index.IndexBench;
import dev.ckptkit.analyzer.index.IndexOptions;
import dev.ckptkit.analyzer.inspect.SyntheticImage;
import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.ImageOpener;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Indexing rate and query latency p50/p99 over many images made by varying real or synthetic ones. */
@Command(name = "index", mixinStandardHelpOptions = true, description = {
        "Index --images images made by varying the given ones (real images, CRIU dirs, ...; default: a synthetic one)",
        "and report the indexing rate and the latency of --queries searches, p50/p99 (goal: p99 < 50 ms)."})
public final class BenchIndexCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "IMAGE", description = "Base images to vary (any input a backend converts).")
    List<Path> bases = new ArrayList<>();

    @Option(names = "--images", defaultValue = "1000", description = "Images to index (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--queries", defaultValue = "2000", description = "Timed searches (default ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--synthetic-kib", defaultValue = "512", description = "Memory of the synthetic base image in KiB (default ${DEFAULT-VALUE}).")
    long syntheticKib;

    @Option(names = "--max-strings", defaultValue = "10000", description = "As ckpt index (default ${DEFAULT-VALUE}).")
    int maxStrings;

    @picocli.CommandLine.Mixin
    dev.ckptkit.cli.bench.ScratchDir scratchDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = scratchDir.create("ckpt-bench-index-");
        try {
            List<Path> base = new ArrayList<>();
            ImageOpener opener = new ImageOpener(Backends.load());
            for (int k = 0; k < bases.size(); k++) {
                Path copy = dir.resolve("base-" + k + ".ckpt");
                try (ImageOpener.Opened o = opener.open(bases.get(k))) {
                    Files.copy(o.reader().path(), copy);
                }
                base.add(copy);
            }
            if (base.isEmpty()) {
                Path s = dir.resolve("base-synthetic.ckpt");
                SyntheticImage.write(s, syntheticKib << 10, 0);
                base.add(s);
            }
            Path variants = Files.createDirectories(dir.resolve("images"));
            out.printf("making %d images from %d base image(s)...%n", images, base.size());
            out.flush();
            long t0 = System.nanoTime();
            List<Path> all = IndexBench.makeVariants(base, images, variants);
            out.printf("made in %.1f s; indexing...%n", (System.nanoTime() - t0) / 1e9);
            out.flush();
            IndexOptions o = IndexOptions.defaults();
            o = new IndexOptions(maxStrings, o.minStringLength(), o.maxStringLength(), o.maxPageHashes(), o.threads());
            IndexBench.Result r = new IndexBench(o).run(all, dir.resolve("index"), queries);
            out.printf("indexed %d images (%s) in %.1f s: %.1f images/s, %.1f MiB/s; %d documents, index %s%n", r.images(),
                    Measure.mib(r.imageBytes()), r.indexSeconds(), r.imagesPerSecond(), r.mibPerSecond(), r.documents(), Measure.mib(r.indexBytes()));
            out.printf("re-index of the unchanged images: %.2f s (%.0f images/s)%n", r.reindexSeconds(), r.images() / r.reindexSeconds());
            out.printf("%d queries: p50 %.2f ms, p99 %.2f ms, max %.2f ms (goal p99 < 50 ms)%n", r.queries(), r.p50Ms(), r.p99Ms(), r.maxMs());
            for (IndexBench.Latency l : r.perQuery()) {
                out.printf("  %-40s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  ~%d hits%n", l.query(), l.p50Ms(), l.p99Ms(), l.maxMs(), l.hits());
            }
        } finally {
            scratchDir.cleanUp(dir);
        }
        return 0;
    }
}
