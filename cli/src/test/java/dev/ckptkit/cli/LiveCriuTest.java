package dev.ckptkit.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests that run real workloads under the real criu: skips with the reason when criu cannot run here,
 * and kills every process a test recorded in {@link #started} (workloads and restored trees).
 */
abstract class LiveCriuTest {
    @TempDir
    Path tmp;
    Workloads w;
    final List<Integer> started = new ArrayList<>();

    @BeforeEach
    void needCriu() throws Exception {
        String why = Workloads.whyNot();
        Assumptions.assumeTrue(why == null, "live CRIU tests skipped: " + why);
        w = new Workloads(tmp);
    }

    @AfterEach
    void cleanUp() {
        for (int pid : started) Workloads.kill(pid);
    }

    /** A running memfile workload: its pid and the addresses its info file gives. */
    record Memfile(int pid, Path bin, Path work, long counterAddr, long bufAddr) {}

    /** Builds and starts memfile with marker CKPT-MARKER-{@code n} in tmp/a (with its data.txt). */
    Memfile startMemfile(String n) throws Exception {
        Path bin = w.compile("memfile");
        Path work = Files.createDirectories(tmp.resolve("a"));
        Files.writeString(work.resolve("data.txt"), "CKPT regular data file\n");
        int pid = w.launch(work, bin.toString(), n, work.toString());
        started.add(pid);
        Map<String, String> info = Workloads.info(work.resolve("memfile.info"));
        return new Memfile(pid, bin, work, Long.decode(info.get("counter_addr")), Long.decode(info.get("buf_addr")));
    }
}
