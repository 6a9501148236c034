package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ckpt-loader -t on tree plans that cannot be restored: every forked loader reports its failure. */
class LoaderTreePlanTest {
    @Test
    void aLoaderThatCannotRestoreLeavesAFailedMarker(@TempDir Path dir) throws Exception {
        // two processes (111, and 222 below it) whose restore plans do not exist: the root's loader forks the
        // child's, then both fail to open their plans
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        RestorePlan.Out o = new RestorePlan.Out(b);
        o.raw(TreePlan.MAGIC.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        o.i32(2).i32(0).i32(0).i32(0).i32(0).i32(0);
        for (int[] p : new int[][] {{111, -1}, {222, 0}}) {
            byte[] path = RestorePlan.bytes(dir.resolve("missing-plan-" + p[0]).toString());
            o.i32(p[0]).i32(p[1]).i32(0).i32(path.length);
            o.padded(path);
        }
        Path plan = dir.resolve("tree"), ready = Files.createDirectory(dir.resolve("ready"));
        Files.write(plan, b.toByteArray());
        Process loader = new ProcessBuilder(NativeTools.extract().loader().toString(), "-t", plan.toString(), ready.toString())
                .redirectErrorStream(true).start();
        String out = new String(loader.getInputStream().readAllBytes());
        assertEquals(127, loader.waitFor());
        assertTrue(out.contains("cannot open the restore plan"), out);
        Workloads.await(Duration.ofSeconds(10), () -> Files.exists(ready.resolve("222.failed")) ? true : null, x -> x, "222.failed");
        assertTrue(Files.exists(ready.resolve("111.failed")));
        assertTrue(!Files.exists(ready.resolve("111")) && !Files.exists(ready.resolve("222")));
    }

    @Test
    void aTreePlanWhoseChildComesBeforeItsParentIsRefused(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        RestorePlan.Out o = new RestorePlan.Out(b);
        o.raw(TreePlan.MAGIC.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        o.i32(2).i32(0).i32(0).i32(0).i32(0).i32(0);
        for (int[] p : new int[][] {{111, 1}, {222, 0}}) {
            byte[] path = RestorePlan.bytes("/x");
            o.i32(p[0]).i32(p[1]).i32(0).i32(path.length);
            o.padded(path);
        }
        Path plan = dir.resolve("tree");
        Files.write(plan, b.toByteArray());
        Process loader = new ProcessBuilder(NativeTools.extract().loader().toString(), "-t", plan.toString(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(loader.getInputStream().readAllBytes());
        assertEquals(127, loader.waitFor());
        assertTrue(out.contains("parents must come first"), out);
    }
}
