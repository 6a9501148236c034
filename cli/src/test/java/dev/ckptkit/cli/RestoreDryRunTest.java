package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ckpt restore --dry-run} on the real tcp and tree images: the plan, and the problems this host has with it. */
class RestoreDryRunTest {
    @TempDir
    Path tmp;

    private String[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int rc = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new String[] {Integer.toString(rc), out.toString(), err.toString()};
    }

    private Path image(String name) throws Exception {
        Path tgz = Path.of(System.getProperty("ckpt.root", "../.."), "testdata", "criu", name + ".tar.gz");
        assertEquals(0, Workloads.run(List.of("tar", "xzf", tgz.toString(), "-C", tmp.toString()), null));
        return tmp.resolve(name);
    }

    @Test
    void tcpPlanListsTheListenerAndMissingFiles() throws Exception {
        Path ckpt = tmp.resolve("tcp.ckpt");
        assertEquals("0", run("convert", image("tcp").toString(), "-o", ckpt.toString())[0]);
        String[] r = run("restore", "--dry-run", ckpt.toString());
        String out = r[1];
        assertTrue(out.contains("28715  ppid 0       tcplisten"), out);
        assertTrue(out.contains("inet   stream LISTEN       127.0.0.1:47001  (needs 127.0.0.1:47001 free)"), out);
        assertTrue(out.contains("present   /dev/null  [fd 0 of pid 28715, fd 1 of pid 28715, fd 2 of pid 28715]"), out);
        boolean binaryHere = Files.exists(Path.of("/tmp/ckpt-work/bin/tcplisten"));
        assertEquals(binaryHere ? "0" : "1", r[0], "exit 1 when this host lacks what the restore needs");
        if (!binaryHere) assertTrue(out.contains("problem: missing file /tmp/ckpt-work/bin/tcplisten (exe of pid 28715)"), out);
    }

    @Test
    void treePlanAsJsonFromTheImageDirDirectly() throws Exception {
        String[] r = run("restore", "--dry-run", "--json", image("tree").toString());
        String json = r[1];
        assertTrue(json.contains("\"pid\" : 26584") && json.contains("\"pid\" : 26588") && json.contains("\"pid\" : 26589"), json);
        assertTrue(json.contains("\"path\" : \"/tmp/ckpt-work/bin/tree.sh\""), json);
        assertTrue(json.contains("\"problems\""), json);
    }
}
