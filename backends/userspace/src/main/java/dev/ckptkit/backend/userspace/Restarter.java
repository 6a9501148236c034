package dev.ckptkit.backend.userspace;

import dev.ckptkit.io.CkptReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restarts the processes of an image with ckpt-loader: writes a restore plan per process and the tree plan (tree
 * order, shared pipes and their bytes), starts the loader on this process's stdio (the terminal), waits for every
 * process's "ready" file, then runs the hooks (the image's and the caller's) with the root's new pid in their
 * environment.
 */
public final class Restarter {
    /** {@code pid}: restart only that process of the image; null: the whole tree. */
    public record Request(Path image, Integer pid, Map<String, String> pathMap, List<String> hooks, boolean runImageHooks,
                          Duration readyTimeout) {}

    /**
     * The restored processes; {@code process} is the loader's handle (it became the root); {@code pids} maps every
     * original pid to its new one, root first.
     */
    public record Restarted(int originalPid, long pid, Process process, RestorePlan.Summary summary, List<HookRun> hooks,
                            Map<Integer, Long> pids) {}

    public record HookRun(String command, int exitCode) {}

    private final NativeTools tools;

    public Restarter(NativeTools tools) {
        this.tools = tools;
    }

    public Restarted restart(Request rq) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("ckpt-restart-");
        Path readyDir = Files.createDirectory(work.resolve("ready"));
        Path treePlan = work.resolve("tree");
        List<Path> plans = new ArrayList<>();
        List<String> hooks = new ArrayList<>();
        TreePlan tree;
        RestorePlan.Summary summary;
        try (CkptReader r = CkptReader.open(rq.image())) {
            tree = TreePlan.of(r, rq.pid());
            RestorePlan planner = tree.planner(rq.pathMap());
            List<RestorePlan.Summary> each = new ArrayList<>();
            for (TreePlan.Proc p : tree.processes()) {
                Path plan = work.resolve("plan-" + p.row().pid());
                plans.add(plan);
                each.add(planner.write(r, p.row().pid(), plan));
            }
            tree.write(treePlan, plans, planner::mapPath);
            summary = combined(each);
            if (planner.hasPathMap()) {
                for (TreePlan.Proc p : tree.processes()) {
                    Files.write(Checkpointer.socketDir().resolve("ckpt-restart-" + p.row().pid() + ".pathmap"), planner.pathMapBytes());
                }
            }
            if (rq.runImageHooks() && r.nativeNames().contains(Protocol.HOOKS_RECORD)) {
                new String(r.nativeRecord(Protocol.HOOKS_RECORD), StandardCharsets.UTF_8).lines()
                        .filter(l -> !l.isBlank()).forEach(hooks::add);
            }
        } catch (IOException | RuntimeException e) {
            deleteTree(work);
            throw e;
        }
        if (rq.hooks() != null) hooks.addAll(rq.hooks());
        int rootPid = tree.processes().getFirst().row().pid();
        Process p;
        Map<Integer, Long> pids = new LinkedHashMap<>();
        try {
            p = new ProcessBuilder(tools.loader().toString(), "-t", treePlan.toString(), readyDir.toString()).inheritIO().start();
            long deadline = System.nanoTime() + rq.readyTimeout().toNanos();
            for (TreePlan.Proc proc : tree.processes()) {
                Path ready = readyDir.resolve(Integer.toString(proc.row().pid()));
                while (!Files.exists(ready)) {
                    if (Files.exists(readyDir.resolve(proc.row().pid() + ".failed"))) {
                        abandon(p, readyDir);
                        throw new IOException("ckpt-loader failed restoring process " + proc.row().pid() + " of " + rq.image());
                    }
                    if (!p.isAlive()) {
                        abandon(p, readyDir);
                        throw new IOException("ckpt-loader failed (exit " + p.exitValue() + ") restoring " + rq.image());
                    }
                    if (System.nanoTime() > deadline) {
                        abandon(p, readyDir);
                        throw new IOException("ckpt-loader did not finish restoring process " + proc.row().pid() + " of " + rq.image()
                                + " within " + rq.readyTimeout().toSeconds() + " s");
                    }
                    Thread.sleep(5);
                }
                pids.put(proc.row().pid(), Long.parseLong(Files.readString(ready).trim()));
            }
        } finally {
            String keep = System.getenv("CKPT_KEEP_PLAN");  // debugging the loader: run it by hand on these plans
            if (keep != null && !keep.isEmpty()) copyTree(work, Path.of(keep));
            deleteTree(work);
        }
        long newPid = pids.get(rootPid);
        List<HookRun> runs = new ArrayList<>();
        for (String h : hooks) {
            ProcessBuilder hb = new ProcessBuilder("/bin/sh", "-c", h).inheritIO();
            hb.environment().put("CKPT_PID", Long.toString(newPid));
            hb.environment().put("CKPT_ORIGINAL_PID", Integer.toString(rootPid));
            hb.environment().put("CKPT_IMAGE", rq.image().toAbsolutePath().toString());
            Process hp = hb.start();
            runs.add(new HookRun(h, hp.waitFor()));
        }
        return new Restarted(rootPid, newPid, p, summary, runs, pids);
    }

    /**
     * A partial tree is no restart: ends the root's loader and every process below it, back or still loading (left
     * running, they would hold this process's stdio and the tree's pipes open for good). The descendants are taken
     * before anything is killed, and the ready files name those already back: a process whose parent died is
     * reparented away from the tree (a loader that died itself leaves its children so).
     */
    private static void abandon(Process root, Path readyDir) throws IOException {
        List<ProcessHandle> below = root.descendants().toList();
        root.destroyForcibly();
        below.forEach(ProcessHandle::destroyForcibly);
        try (var s = Files.list(readyDir)) {
            for (Path f : s.filter(x -> x.getFileName().toString().matches("[0-9]+")).toList()) {
                String pid = Files.readString(f).trim();
                if (pid.matches("[0-9]+")) ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static RestorePlan.Summary combined(List<RestorePlan.Summary> each) {
        if (each.size() == 1) return each.getFirst();
        List<String> warnings = new ArrayList<>();
        for (RestorePlan.Summary s : each) for (String w : s.warnings()) warnings.add("pid " + s.pid() + ": " + w);
        return new RestorePlan.Summary(each.getFirst().pid(), each.stream().mapToInt(RestorePlan.Summary::threads).sum(),
                each.stream().mapToInt(RestorePlan.Summary::areas).sum(), each.stream().mapToInt(RestorePlan.Summary::fds).sum(),
                each.stream().mapToLong(RestorePlan.Summary::pages).sum(), warnings);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path f : s.toList()) if (Files.isRegularFile(f)) Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }
}
