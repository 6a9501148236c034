package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.RestoreOptions;
import dev.ckptkit.backend.RestoreResult;
import dev.ckptkit.io.CkptReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real criu restores a checkpoint libckpt.so took from inside the process: the CRIU backend makes the image
 * files from the tables (TableToCriu), with the running kernel's vDSO where libckpt.so saved none, and the counter
 * workload goes on under its own pid with its memory intact. Needs root and the private CRIU.
 */
class CriuRestoreOfUserspaceImageTest {
    private static final Duration T = Duration.ofSeconds(60);

    @Test
    void criuRestoresAUserspaceCheckpoint(@TempDir Path dir) throws Exception {
        assumeTrue(criuInstalled(), "CRIU is not installed (.tools/criu/bin/criu or CKPT_CRIU)");
        assumeTrue("root".equals(System.getProperty("user.name")), "criu restore needs root");
        NativeTools tools = NativeTools.extract();
        Path counter = Workloads.compile("counter");
        Path image = dir.resolve("u.ckpt");
        Process p = Workloads.launch(tools, dir, counter, dir.toString(), "2");
        ProcessHandle restored = null;
        try {
            Workloads.awaitSocket(p.pid(), T);
            Workloads.await(dir, T, s -> s.n() >= 5 && s.threadSum() > 0);
            new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), image, true, List.of(), Map.of(), null, null));
            assertTrue(Workloads.awaitExit(p.toHandle(), T), "--kill ends the process");
            long atKill = Workloads.Status.read(dir).n();
            Backend criu = Backends.load().named("criu");
            RestoreResult r;
            try (CkptReader img = CkptReader.open(image)) {
                r = criu.restore(img, new RestoreOptions(false, false, List.of(), false));
            }
            restored = ProcessHandle.of(r.rootPid()).orElse(null);
            assertEquals(p.pid(), r.rootPid(), "criu restores the original pid");
            Workloads.Status after = Workloads.await(dir, T, s -> s.n() > atKill + 5);
            assertTrue(after.patternOk(), "64 MiB pattern intact after criu restore");
            long sum = after.threadSum();
            Workloads.await(dir, T, s -> s.threadSum() > sum);  // the worker threads run too
            assertEquals(4, Files.list(Path.of("/proc", Long.toString(r.rootPid()), "task")).count(), "main, manager and two workers");
        } finally {
            Workloads.kill(p.toHandle());
            Workloads.kill(restored);
        }
    }

    private static boolean criuInstalled() {
        String env = System.getenv("CKPT_CRIU");
        if (env != null && Files.isExecutable(Path.of(env))) return true;
        return Files.isExecutable(Workloads.root().resolve(".tools/criu/bin/criu"));
    }
}
