package dev.ckptkit.cli.bench;

import dev.ckptkit.analyzer.inspect.ForensicsBench;
import dev.ckptkit.analyzer.inspect.SyntheticImage;
import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.ImageOpener;
import dev.ckptkit.io.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** ckpt strings / ckpt grep throughput against GNU strings / grep -a -c on the same bytes, in the same run. */
@Command(name = "forensics", mixinStandardHelpOptions = true, description = "Throughput of ckpt strings and ckpt grep over an image's memory vs GNU strings "
        + "and GNU grep -a -c over the same page bytes written out raw (goal: ratio >= 1).")
public final class BenchForensicsCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "IMAGE", description = "Image to scan (a .ckpt or anything a backend converts); "
            + "without it a synthetic image of --synthetic-mib is made.")
    Path image;

    @Option(names = "--synthetic-mib", defaultValue = "1024", description = "Size of the synthetic image's memory (default ${DEFAULT-VALUE}).")
    long syntheticMib;

    @Option(names = "--save-synthetic", paramLabel = "FILE", description = "Keep the synthetic image as FILE (for trying ckpt strings/grep on it).")
    Path saveSynthetic;

    @Option(names = "--literal", defaultValue = "CKPT-MARKER", description = "Literal for the grep run (default ${DEFAULT-VALUE}).")
    String literal;

    @Option(names = "--regex", defaultValue = "CKPT-MARKER-[0-9]+", description = "Regex for the grep run (default ${DEFAULT-VALUE}).")
    String regex;

    @Option(names = "--runs", defaultValue = "3", description = "Timed runs per tool; the best counts (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--threads", description = "Scanner threads (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path work = Files.createTempDirectory("ckpt-bench-forensics-");
        try {
            Path img = image;
            if (img == null) {
                img = saveSynthetic != null ? saveSynthetic : work.resolve("synthetic.ckpt");
                out.printf("making a synthetic image with %d MiB of memory (no image given)...%n", syntheticMib);
                out.flush();
                SyntheticImage.write(img, syntheticMib << 20, 0);
            }
            try (ImageOpener.Opened opened = new ImageOpener(Backends.load()).open(img)) {
                ForensicsBench b = new ForensicsBench(opened.reader(), threads, runs);
                Path raw = work.resolve("pages.raw");
                long bytes = b.writeRaw(raw);
                out.printf("image %s: %.0f MiB of dumped pages; raw copy for GNU tools: %s; %d scanner threads, %d cores%n",
                        img, bytes / 1048576.0, raw, threads, Runtime.getRuntime().availableProcessors());
                out.flush();
                for (ForensicsBench.Result r : b.run(raw, bytes, literal, regex)) {
                    out.printf("%-40s ckpt %7.0f MiB/s (%d hits)   GNU %7.0f MiB/s (%d)   ratio %.2fx%n", r.what(), r.oursMiBs(),
                            r.ours(), r.gnuMiBs(), r.gnu(), r.ratio());
                    out.printf("%-40s GNU command: %s%n", "", r.gnuCommand());
                    out.flush();
                }
            }
        } finally {
            AtomicFiles.deleteTree(work);
        }
        return 0;
    }
}
