package dev.ckptkit.backend.userspace;

import dev.ckptkit.io.CkptReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Restarts one process of an image with ckpt-loader: writes the restore plan, starts the loader on this process's
 * stdio (the terminal), waits for its "ready" file, then runs the hooks (the image's and the caller's) with the
 * new pid in their environment.
 */
public final class Restarter {
    /** {@code wait}: wait for the restored process to exit and return its status. */
    public record Request(Path image, Integer pid, Map<String, String> pathMap, List<String> hooks, boolean runImageHooks,
                          Duration readyTimeout) {}

    /** The restored process; {@code process} is the loader's handle (it became the program). */
    public record Restarted(int originalPid, long pid, Process process, RestorePlan.Summary summary, List<HookRun> hooks) {}

    public record HookRun(String command, int exitCode) {}

    private final NativeTools tools;

    public Restarter(NativeTools tools) {
        this.tools = tools;
    }

    public Restarted restart(Request rq) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("ckpt-restart-");
        Path plan = work.resolve("plan"), ready = work.resolve("ready");
        RestorePlan planner = new RestorePlan(rq.pathMap());
        RestorePlan.Summary summary;
        List<String> hooks = new ArrayList<>();
        int pid;
        try (CkptReader r = CkptReader.open(rq.image())) {
            pid = rq.pid() != null ? rq.pid() : RestorePlan.defaultPid(r);
            summary = planner.write(r, pid, plan);
            if (rq.runImageHooks() && r.nativeNames().contains(Protocol.HOOKS_RECORD)) {
                new String(r.nativeRecord(Protocol.HOOKS_RECORD), StandardCharsets.UTF_8).lines()
                        .filter(l -> !l.isBlank()).forEach(hooks::add);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(plan);
            Files.deleteIfExists(work);
            throw e;
        }
        if (rq.hooks() != null) hooks.addAll(rq.hooks());
        Path pathMapFile = Checkpointer.socketDir().resolve("ckpt-restart-" + pid + ".pathmap");
        if (planner.hasPathMap()) Files.write(pathMapFile, planner.pathMapBytes());
        Process p;
        try {
            p = new ProcessBuilder(tools.loader().toString(), plan.toString(), ready.toString()).inheritIO().start();
            long deadline = System.nanoTime() + rq.readyTimeout().toNanos();
            while (!Files.exists(ready)) {
                if (!p.isAlive()) {
                    Files.deleteIfExists(ready.resolveSibling("ready.tmp"));
                    Files.deleteIfExists(plan);
                    Files.deleteIfExists(work);
                    throw new IOException("ckpt-loader failed (exit " + p.exitValue() + ") restoring " + rq.image());
                }
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    Files.deleteIfExists(plan);
                    Files.deleteIfExists(work);
                    throw new IOException("ckpt-loader did not finish restoring " + rq.image() + " within " + rq.readyTimeout().toSeconds() + " s");
                }
                Thread.sleep(5);
            }
        } finally {
            String keep = System.getenv("CKPT_KEEP_PLAN");  // debugging the loader: run it by hand on this plan
            if (keep != null && !keep.isEmpty()) Files.copy(plan, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(plan);
        }
        long newPid;
        try {
            newPid = Long.parseLong(Files.readString(ready).trim());
        } finally {
            Files.deleteIfExists(ready);
            Files.deleteIfExists(work);
        }
        List<HookRun> runs = new ArrayList<>();
        for (String h : hooks) {
            ProcessBuilder hb = new ProcessBuilder("/bin/sh", "-c", h).inheritIO();
            hb.environment().put("CKPT_PID", Long.toString(newPid));
            hb.environment().put("CKPT_ORIGINAL_PID", Integer.toString(pid));
            hb.environment().put("CKPT_IMAGE", rq.image().toAbsolutePath().toString());
            Process hp = hb.start();
            runs.add(new HookRun(h, hp.waitFor()));
        }
        return new Restarted(pid, newPid, p, summary, runs);
    }
}
