package dev.ckptkit.cli;

import dev.ckptkit.backend.criu.Criu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ckpt bench criu}: a subcommand of {@code ckpt bench}; see {@link BenchCriu}. */
@Command(name = "criu", mixinStandardHelpOptions = true, description = {
        "CRIU import/export throughput vs 'cp -r' of the image dir, compressed import vs 'zstd -1' of its pages files",
        "(speed and size), and heap peaks. Inputs: CRIU image dirs; default: the test images of testdata/criu.",
        "  ckpt bench criu --make-large 1024        also make a 1 GiB image with ../shared/tools/make-large-image.sh (root)",
        "Run under a small heap to check it stays constant: CKPT_JAVA_OPTS=-Xmx256m ckpt bench criu ..."})
public final class BenchCriuCommand extends CkptCommand {
    @Parameters(paramLabel = "DIR", arity = "0..*", description = "CRIU image directories to measure.")
    List<Path> dirs = new ArrayList<>();

    @Option(names = "--make-large", paramLabel = "MIB", description = "Also make and measure a real CRIU image of MIB dirtied MiB (needs root and criu).")
    Integer makeLarge;

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "Best of N runs per measurement (default 3).")
    int runs;

    @Option(names = "--zstd", defaultValue = "1", paramLabel = "LEVEL", description = "zstd level of the compressed import and of the zstd CLI (default 1).")
    int zstd;

    @Option(names = "--threads", paramLabel = "N", description = "Writer threads (default: all cores).")
    Integer threads;

    @picocli.CommandLine.Mixin
    dev.ckptkit.cli.bench.ScratchDir scratchDir;

    @Mixin
    JsonOption json;

    @Override
    protected int run() throws Exception {
        Path scratch = scratchDir.create("ckpt-bench-criu-");
        try {
            List<Path> inputs = new ArrayList<>(dirs);
            if (inputs.isEmpty()) inputs.addAll(testImages(scratch));
            if (makeLarge != null) inputs.add(makeLarge(scratch, makeLarge));
            int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            BenchCriu bench = new BenchCriu(backends().named("criu"), scratch, runs, zstd, n);
            List<BenchCriu.Result> results = new ArrayList<>();
            for (Path d : inputs) {
                err().println("ckpt: measuring " + d);
                err().flush();
                results.add(bench.run(d));
            }
            out().print(json.enabled() ? json.render(results) + "\n" : BenchCriu.table(results));
        } finally {
            scratchDir.cleanUp(scratch);
        }
        return ExitCodes.OK;
    }

    private static Path root() {
        return Path.of(System.getProperty("ckpt.root", System.getenv().getOrDefault("CKPT_ROOT", ".")));
    }

    /** The small real images of testdata/criu, unpacked. */
    private static List<Path> testImages(Path scratch) throws Exception {
        List<Path> out = new ArrayList<>();
        Path data = root().resolve("testdata/criu");
        for (String name : List.of("memfile", "tree", "tcp")) {
            Path tgz = data.resolve(name + ".tar.gz");
            if (!Files.exists(tgz)) throw new CkptException(tgz + ": not found (run from the repository root, or give image dirs)");
            exec(List.of("tar", "xzf", tgz.toString(), "-C", scratch.toString()));
            out.add(scratch.resolve(name));
        }
        return out;
    }

    private Path makeLarge(Path scratch, int mib) throws Exception {
        Path script = root().resolve("../shared/tools/make-large-image.sh").normalize();
        if (!Files.isExecutable(script)) throw new CkptException(script + ": not found; cannot make a large image");
        Path out = scratch.resolve("large-" + mib);
        err().println("ckpt: making a " + mib + " MiB CRIU image with " + script);
        err().flush();
        List<String> cmd = new ArrayList<>(List.of(script.toString(), Integer.toString(mib), out.toString()));
        Path criu = Criu.find();
        if (criu != null) cmd.add(criu.toString());
        exec(cmd);
        return out;
    }

    private static void exec(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) throw new CkptException(String.join(" ", cmd) + ": failed");
    }
}
