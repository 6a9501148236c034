package dev.ckptkit.cli;

import dev.ckptkit.backend.userspace.Checkpointer;
import dev.ckptkit.backend.userspace.NativeTools;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The demo's second half, the userspace style on a live process: a small bundled program that dirties memory and
 * ticks a counter is started with libckpt.so, checkpointed and ended, and restarted from the image, where it counts
 * on from the value it had and still sees its original pid. Every step runs as the same {@code ckpt} command line.
 */
final class LiveDemo {
    private static final Duration WAIT = Duration.ofMinutes(1);
    private final PrintWriter out;
    private final PrintWriter err;
    private final Path work;

    LiveDemo(PrintWriter out, PrintWriter err, Path work) {
        this.out = out;
        this.err = err;
        this.work = work;
    }

    /** Status line of the program: tick count, pid as the program sees it. */
    private record Tick(long count, long pid) {}

    int run() throws Exception {
        NativeTools tools = NativeTools.extract();
        Path status = work.resolve("status"), image = work.resolve("app.ckpt");
        long pid = Long.parseLong(step("launch", "--detach", "--", tools.benchWorkload().toString(), "16", status.toString()).strip());
        Long restarted = null;
        try {
            await(status, t -> t.count() >= 3, "did not start");
            if (!Checkpointer.awaitSocket((int) pid, WAIT)) throw new CkptException("pid " + pid + " never opened its checkpoint socket");
            if (step("checkpoint", Long.toString(pid), "-o", image.toString(), "--kill") == null) return ExitCodes.TROUBLE;
            Tick atCheckpoint = await(status, t -> true, "wrote no status");
            if (step("ps", image.toString()) == null) return ExitCodes.TROUBLE;
            String newPid = step("restart", image.toString(), "--detach");
            if (newPid == null) return ExitCodes.TROUBLE;
            restarted = Long.parseLong(newPid.strip());
            Tick after = await(status, t -> t.count() > atCheckpoint.count(), "did not run on after the restart");
            out.printf("%n(restarted as pid %d: the counter went on from %d to %d, and getpid() there still says %d)%n",
                    restarted, atCheckpoint.count(), after.count(), after.pid());
            return after.pid() == pid ? ExitCodes.OK : ExitCodes.NEGATIVE;
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            if (restarted != null) ProcessHandle.of(restarted).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Runs and echoes one command; its standard output, or null if it failed. */
    private String step(String... args) {
        DemoStep s = DemoStep.run(out, err, args);
        return s.exitCode() == 0 ? s.out() : null;
    }

    private static Tick await(Path status, Predicate<Tick> done, String what) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(status)) {
                String[] f = Files.readString(status).strip().split(" ");
                if (f.length >= 2) {
                    Tick t = new Tick(Long.parseLong(f[0]), Long.parseLong(f[1]));
                    if (done.test(t)) return t;
                }
            }
            Thread.sleep(20);
        }
        throw new CkptException("the demo program " + what + " within " + WAIT.toSeconds() + " s (" + status + ")");
    }

}
