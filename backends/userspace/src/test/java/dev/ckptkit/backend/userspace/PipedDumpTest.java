package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A piped dump sends pages by reference and trusts the process's checksums, so the library checks that the memory
 * it sent did not change before ckpt spliced it: here another process keeps writing into the workload's 64 MiB
 * pattern through /proc/PID/mem while it is checkpointed. The checkpoint must fail on one line saying so, leave no
 * image, and let the process go on.
 */
class PipedDumpTest {
    private static final Duration T = Duration.ofSeconds(30);
    static NativeTools tools;
    static Path counter;

    @BeforeAll
    static void build() throws Exception {
        tools = NativeTools.extract();
        counter = Workloads.compile("counter");
    }

    @Test
    void memoryWrittenDuringThePipedDumpFailsTheCheckpoint(@TempDir Path dir) throws Exception {
        Process p = null;
        try {
            p = Workloads.launch(tools, dir, counter, dir.toString(), "0");
            Workloads.awaitSocket(p.pid(), T);
            Workloads.await(dir, T, s -> s.n() >= 3);
            long target = patternMiddle(p.pid());
            Path mem = Path.of("/proc/" + p.pid() + "/mem");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            try (FileChannel ch = FileChannel.open(mem, StandardOpenOption.WRITE)) {
                ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                try {
                    ch.write(word.putLong(0, 1).clear(), target);
                } catch (IOException e) {
                    assumeTrue(false, "cannot write " + mem + " (no ptrace access here): " + e.getMessage());
                }
                Thread scribbler = Thread.ofPlatform().start(() -> {
                    for (long v = 2; !stop.get(); v++) {
                        try {
                            ch.write(word.putLong(0, v).clear(), target);
                            writes.incrementAndGet();
                        } catch (IOException e) {
                            return;
                        }
                    }
                });
                Path image = dir.resolve("c.ckpt");
                int pid = (int) p.pid();
                IOException e = assertThrows(IOException.class, () -> new Checkpointer().checkpoint(
                        new Checkpointer.Request(pid, image, false, List.of(), Map.of(), null, null)));
                stop.set(true);
                scribbler.join();
                assertTrue(e.getMessage().contains("memory changed while the checkpoint read it"), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                assertFalse(Files.exists(image), "no image");
                assertTrue(writes.get() > 0);
            }
            long n = Workloads.Status.read(dir).n();
            Workloads.await(dir, T, s -> s.n() > n + 2);  // resumed: it still counts
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
        }
    }

    /** An address in the middle of the workload's largest anonymous area (its 64 MiB pattern). */
    private static long patternMiddle(long pid) throws IOException {
        long best = 0, bestSize = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 5 || !f[1].startsWith("rw")) continue;  // anonymous: no path column
            String[] range = f[0].split("-");
            long start = Long.parseUnsignedLong(range[0], 16), end = Long.parseUnsignedLong(range[1], 16);
            if (end - start > bestSize) {
                best = start;
                bestSize = end - start;
            }
        }
        assertTrue(bestSize >= 64L << 20, "pattern area found");
        return best + bestSize / 2;
    }
}
