package dev.ckptkit.cli;

import dev.ckptkit.backend.criu.Criu;
import dev.ckptkit.backend.userspace.BenchUserspace;
import dev.ckptkit.backend.userspace.NativeTools;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ckpt bench userspace}: see {@link BenchUserspace}. */
@Command(name = "userspace", mixinStandardHelpOptions = true, description = {
        "Checkpoint and restart time and image size of a process with dirtied memory: libckpt.so + ckpt-loader",
        "vs CRIU dump/restore of the same workload in the same run (CRIU from CKPT_CRIU or .tools/criu; root).",
        "  ckpt bench userspace --mib 1024"})
public final class BenchUserspaceCommand extends CkptCommand {
    @Option(names = "--mib", paramLabel = "MIB", split = ",", defaultValue = "1024", description = "Dirtied memory of the workload (default 1024; a list runs each).")
    List<Integer> mib = new ArrayList<>();

    @Option(names = "--runs", defaultValue = "1", paramLabel = "N", description = "Runs per size; every run is printed (default 1).")
    int runs;

    @Option(names = "--dedup", description = "Checkpoint with dedup, as 'ckpt checkpoint --dedup' (default: without, as 'ckpt checkpoint').")
    boolean dedup;

    @Option(names = "--sync", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Checkpoint durably, as 'ckpt checkpoint' does, compared with criu dump + sync (default); "
                    + "--no-sync: as 'ckpt checkpoint --no-sync', compared with criu dump alone.")
    boolean sync;

    @Option(names = "--command", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also time 'ckpt checkpoint' as a command in a new JVM, start-up included (default; --no-command: only in this JVM).")
    boolean command;

    @Mixin
    dev.ckptkit.cli.bench.ScratchDir scratchDir;

    @Mixin
    JsonOption json;

    @Override
    protected int run() throws Exception {
        Path scratch = scratchDir.create("ckpt-bench-userspace-");
        try {
            BenchUserspace bench = new BenchUserspace(NativeTools.extract(), Criu.find(), scratch, dedup, sync,
                    command ? this::checkpointCommand : null);
            List<BenchUserspace.Result> results = new ArrayList<>();
            for (int m : mib) {
                for (int i = 0; i < runs; i++) {
                    err().println("ckpt: measuring " + m + " MiB (run " + (i + 1) + ")");
                    err().flush();
                    results.add(bench.run(m));
                }
            }
            out().print(json.enabled() ? json.render(results) + "\n" : BenchUserspace.table(results));
        } finally {
            scratchDir.cleanUp(scratch);
        }
        return ExitCodes.OK;
    }

    /**
     * What a user runs: the launcher when this JVM came from it, else a JVM started as this one was (same options,
     * class path and start-up archive), which leaves out only the launcher's few milliseconds of bash.
     */
    private List<String> checkpointCommand(long pid, Path image) {
        List<String> cmd = new ArrayList<>();
        Path root = Path.of(System.getProperty("ckpt.root", ".")).toAbsolutePath();
        String classPath = System.getProperty("java.class.path");
        if (Path.of(classPath).toAbsolutePath().equals(root.resolve("cli/lib/ckpt.jar")) && Files.isExecutable(root.resolve("ckpt"))) {
            cmd.addAll(List.of("env", "CKPT_NO_BUILD=1", root.resolve("ckpt").toString()));  // a build mid-run is no checkpoint time
        } else {
            cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            cmd.addAll(List.of("-cp", classPath, Main.class.getName()));
        }
        cmd.addAll(List.of("checkpoint", Long.toString(pid), "-o", image.toString(), "--kill"));
        if (!sync) cmd.add("--no-sync");
        if (dedup) cmd.add("--dedup");
        return cmd;
    }
}
