package dev.ckptkit.cli;

import dev.ckptkit.backend.userspace.Checkpointer;
import dev.ckptkit.backend.userspace.NativeTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "launch", description = {
        "Start a program with libckpt.so preloaded, so that 'ckpt checkpoint PID' can checkpoint it from inside.",
        "  ckpt launch -- ./server --port 8080",
        "  ckpt launch --interval 60 -o ckpts/ -- ./simulation   (a checkpoint every minute into ckpts/)"})
final class LaunchCommand extends CkptCommand {
    @Option(names = "--interval", paramLabel = "SECONDS", description = "Checkpoint every SECONDS seconds while the program runs.")
    Double interval;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Where --interval writes ckpt-PID.ckpt (default: the current directory).")
    Path outDir;

    @Option(names = "--detach", description = "Print the pid and return at once instead of waiting for the program.")
    boolean detach;

    @Parameters(paramLabel = "PROGRAM", arity = "1..*", description = "The program and its arguments (after --).")
    List<String> command = new ArrayList<>();

    @Override
    protected int run() throws Exception {
        NativeTools tools = NativeTools.extract();
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        Map<String, String> env = pb.environment();
        String pre = env.get("LD_PRELOAD");
        env.put("LD_PRELOAD", tools.library() + (pre == null || pre.isEmpty() ? "" : ":" + pre));
        Process p = pb.start();
        err().println("ckpt: launched " + command.getFirst() + " as pid " + p.pid());
        err().flush();
        if (detach) {
            out().println(p.pid());
            return ExitCodes.OK;
        }
        if (interval == null) return p.waitFor();
        Path dir = outDir == null ? Path.of(".") : outDir;
        Files.createDirectories(dir);
        Path target = dir.resolve("ckpt-" + p.pid() + ".ckpt");
        long periodMs = Math.max(10, (long) (interval * 1000));
        int n = 0;
        while (!p.waitFor(periodMs, TimeUnit.MILLISECONDS)) {
            try {
                var r = new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), target, false, List.of(), Map.of(), null, null));
                n++;
                err().printf("ckpt: checkpoint %d of pid %d -> %s (%s, %.2f s)%n", n, p.pid(), target,
                        Sizes.human(Files.size(target)), r.nanos() / 1e9);
                err().flush();
            } catch (java.io.IOException e) {
                if (!p.isAlive()) break;
                err().println("ckpt: checkpoint failed: " + e.getMessage());
            }
        }
        return p.waitFor();
    }
}
