package dev.ckptkit.cli.bench;

import dev.ckptkit.analyzer.diff.DiffBench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** ckpt diff (page hashes) against cmp -l of the raw page data of the same two images, in the same run. */
@Command(name = "diff", mixinStandardHelpOptions = true, description = {
        "Time of ckpt diff on two large images with few changed pages vs 'cmp -l' of their raw page data (goal: >= 20x).",
        "Without images, makes a synthetic pair of --mib MiB with --changed-pages changed pages."})
public final class BenchDiffCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..2", paramLabel = "IMAGE", description = "Two .ckpt images to compare (default: a synthetic pair).")
    java.util.List<Path> images = new java.util.ArrayList<>();

    @Option(names = "--mib", defaultValue = "1024", description = "Memory of each synthetic image in MiB (default ${DEFAULT-VALUE}).")
    long mib;

    @Option(names = "--changed-pages", defaultValue = "16", description = "Pages changed between the synthetic pair (default ${DEFAULT-VALUE}).")
    int changedPages;

    @Option(names = "--runs", defaultValue = "3", description = "Timed runs per tool; the best counts (default ${DEFAULT-VALUE}).")
    int runs;

    @picocli.CommandLine.Mixin
    dev.ckptkit.cli.bench.ScratchDir scratchDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (images.size() == 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give two images, or none");
        Path dir = scratchDir.create("ckpt-bench-diff-");
        try {
            Path a, b;
            if (images.isEmpty()) {
                out.printf("making a synthetic pair: %d MiB each, %d changed pages...%n", mib, changedPages);
                out.flush();
                Path[] pair = DiffBench.makePair(dir, mib << 20, changedPages, 1);
                a = pair[0];
                b = pair[1];
            } else {
                a = images.get(0);
                b = images.get(1);
            }
            DiffBench.Result r = new DiffBench(runs).run(a, b, dir);
            out.printf("images: %s vs %s: %d pages (%s of page data each), %d changed%n", a, b, r.pages(), Measure.mib(r.pageBytes()), r.changedPages());
            out.printf("ckpt diff (hashes)        %8.4f s  (first run in a cold JVM %.3f s)%n", r.oursSeconds(), r.firstSeconds());
            out.printf("ckpt diff --bytes         %8.4f s  (%d differing bytes)%n", r.oursBytesSeconds(), r.oursBytes());
            out.printf("cmp -l of raw page data   %8.4f s  (%d differing bytes)%n", r.cmpSeconds(), r.cmpBytes());
            out.printf("ratio: %.1fx faster than cmp (goal >= 20x); with --bytes %.1fx; cold first run %.1fx%n", r.ratio(),
                    r.ratioWithBytes(), r.cmpSeconds() / r.firstSeconds());
        } finally {
            scratchDir.cleanUp(dir);
        }
        return 0;
    }
}
