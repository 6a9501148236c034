package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restored tree resumes together (PROTOCOL.md, "Tree plan"): pipetree's parent and child are checkpointed and
 * restarted with the child's restore plan behind a FIFO, so the child's loader stays stuck opening it. The parent's
 * loader restores its process and then waits: the parent's program (which signals its child every 20 ticks) must not
 * run before the child is back. Fed its plan, the child comes back and both go on; killed instead, it takes the
 * parent's restore along (the parent's loader fails, leaving PID.failed) rather than leaving it waiting for good.
 */
class TreeResumeTogetherTest {
    private static final Duration T = Duration.ofSeconds(30);
    static NativeTools tools;
    static Path pipetree;

    @BeforeAll
    static void build() throws Exception {
        tools = NativeTools.extract();
        pipetree = Workloads.compile("pipetree");
    }

    /** A checkpointed (and ended) pipetree and a started loader whose child plan is the FIFO {@code fifo}. */
    private record Stuck(Path childPlan, Path fifo, Path ready, int parent, int child, long ticksAtKill,
                         TreeCheckpointRestartTest.Child childAtKill, Process loader) {}

    private static Stuck start(Path dir, List<ProcessHandle> all) throws Exception {
        Process p = Workloads.launch(tools, dir, pipetree, dir.toString());
        all.add(p.toHandle());
        Workloads.awaitSocket(p.pid(), T);
        int child = Workloads.await(T, () -> TreeCheckpointRestartTest.Child.read(dir), c -> c.reads() >= 3, "child").pid();
        ProcessHandle.of(child).ifPresent(all::add);
        Workloads.awaitSocket(child, T);
        Path image = dir.resolve("tree.ckpt");
        new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), image, true, List.of(), Map.of(), null, null));
        for (ProcessHandle h : List.copyOf(all)) assertTrue(Workloads.awaitExit(h, T), "--kill ends every process of the tree");
        long ticksAtKill = TreeCheckpointRestartTest.Parent.read(dir).ticks();
        var childAtKill = TreeCheckpointRestartTest.Child.read(dir);

        Path childPlan = dir.resolve("plan-child"), fifo = dir.resolve("plan-child.fifo"), treePlan = dir.resolve("tree");
        Path ready = Files.createDirectory(dir.resolve("ready"));
        try (CkptReader r = CkptReader.open(image)) {
            TreePlan tree = TreePlan.of(r, null);
            RestorePlan planner = tree.planner(Map.of());
            List<Path> plans = new ArrayList<>();
            for (TreePlan.Proc proc : tree.processes()) {
                int pid = proc.row().pid();
                Path plan = pid == child ? childPlan : dir.resolve("plan-" + pid);
                planner.write(r, pid, plan);
                plans.add(pid == child ? fifo : plan);
            }
            tree.write(treePlan, plans, planner::mapPath);
        }
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor(), "mkfifo");
        Process loader = new ProcessBuilder(tools.loader().toString(), "-t", treePlan.toString(), ready.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("loader.txt").toFile()).start();
        all.add(loader.toHandle());
        // the parent's loader restored its process and waits for the child's: in a futex, with no ready file
        Workloads.await(T, () -> wchan(loader), w -> w.contains("futex"), "the parent's loader waiting for the child's");
        Thread.sleep(500);
        assertEquals(ticksAtKill, TreeCheckpointRestartTest.Parent.read(dir).ticks(), "the parent's program runs before its child is back");
        assertTrue(!Files.exists(ready.resolve(Long.toString(p.pid()))), "the parent says it is ready before its child is back");
        return new Stuck(childPlan, fifo, ready, (int) p.pid(), child, ticksAtKill, childAtKill, loader);
    }

    /** Where the process sleeps in the kernel, or null when that cannot be read right now. */
    private static String wchan(Process p) throws IOException {
        // (a parent that ran early signalled its child's loader to death and died of SIGPIPE on the pipe then)
        if (!p.isAlive()) throw new AssertionError("the restored parent ended (exit " + p.exitValue() + ") while its child's loader was at work");
        try {
            return Files.readString(Path.of("/proc/" + p.pid() + "/wchan"));
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    @Test
    void theParentResumesOnceItsChildIsBack(@TempDir Path dir) throws Exception {
        List<ProcessHandle> all = new ArrayList<>();
        try {
            Stuck s = start(dir, all);
            try (OutputStream os = Files.newOutputStream(s.fifo())) {
                Files.copy(s.childPlan(), os);
            }
            for (int pid : new int[] {s.parent(), s.child()}) {
                Path f = s.ready().resolve(Integer.toString(pid));
                long now = Workloads.await(T, () -> Files.exists(f) ? Long.parseLong(Files.readString(f).trim()) : null, x -> true, "ready " + pid);
                ProcessHandle.of(now).ifPresent(all::add);
            }
            var after = Workloads.await(T, () -> TreeCheckpointRestartTest.Parent.read(dir), x -> x.ticks() > s.ticksAtKill() + 45, "parent after restart");
            assertTrue(after.signalOk(), "kill/waitpid of the child work right away: " + after);
            var c0 = s.childAtKill();
            var child = Workloads.await(T, () -> TreeCheckpointRestartTest.Child.read(dir),
                    c -> c.signals() > c0.signals() && c.reads() > c0.reads() + 10, "child after restart (SIGUSR1 from the parent)");
            assertTrue(child.inOrder(), "every number arrived exactly once and in order: " + child);
        } finally {
            for (ProcessHandle h : all) Workloads.kill(h);
        }
    }

    @Test
    void aChildLoaderKilledFromOutsideEndsTheWaitingParent(@TempDir Path dir) throws Exception {
        List<ProcessHandle> all = new ArrayList<>();
        try {
            Stuck s = start(dir, all);
            List<ProcessHandle> children = s.loader().toHandle().children().toList();
            assertEquals(1, children.size(), "the child's loader, stuck opening its plan");
            children.getFirst().destroyForcibly();
            assertTrue(s.loader().waitFor(T.toSeconds(), TimeUnit.SECONDS), "the parent's loader gives up");
            assertEquals(127, s.loader().exitValue());
            String out = Files.readString(dir.resolve("loader.txt"));
            assertTrue(out.contains("a child's loader ended"), out);
            assertTrue(Files.exists(s.ready().resolve(s.parent() + ".failed")), "the parent's failure is reported");
            assertEquals(s.ticksAtKill(), TreeCheckpointRestartTest.Parent.read(dir).ticks(), "the parent's program never ran");
        } finally {
            for (ProcessHandle h : all) Workloads.kill(h);
        }
    }
}
