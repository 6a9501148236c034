package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.Tables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * End to end with the real criu: start a real workload, {@code ckpt capture} it (criu kills it), {@code ckpt restore}
 * the .ckpt, and check the restored processes carry on. Skips with the reason when criu cannot run here.
 */
class CriuLiveTest extends LiveCriuTest {
    private record Run(int rc, String out, String err) {}

    private static Run ckpt(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int rc = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(rc, out.toString(), err.toString());
    }

    private int captureKillRestore(int pid, Path ckpt, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("capture", "--backend", "criu", Integer.toString(pid), "-o", ckpt.toString()));
        args.addAll(List.of(extra));
        Run cap = ckpt(args.toArray(String[]::new));
        assertEquals(0, cap.rc(), cap.err());
        assertTrue(cap.out().contains("pid " + pid), cap.out());
        Workloads.awaitGone(pid);
        assertFalse(Workloads.alive(pid), "criu dump killed the tree");
        Run plan = ckpt("restore", "--dry-run", ckpt.toString());
        assertEquals(0, plan.rc(), plan.out() + plan.err());
        assertTrue(plan.out().contains("ready: no problems found"), plan.out());
        Run res = ckpt("restore", ckpt.toString());
        assertEquals(0, res.rc(), res.err());
        int restored = Integer.parseInt(res.out().strip());
        started.add(restored);
        assertEquals(pid, restored, "criu restores the same pid");
        assertTrue(Workloads.alive(restored));
        return restored;
    }

    @Test
    void memfileContinuesWithItsMemoryAndFiles() throws Exception {
        Memfile mf = startMemfile("42");
        int pid = mf.pid();
        Path bin = mf.bin(), work = mf.work();
        long counterAddr = mf.counterAddr(), bufAddr = mf.bufAddr();
        Thread.sleep(1200);
        long before = Workloads.counter(pid, counterAddr);

        Path ckpt = tmp.resolve("memfile.ckpt");
        int restored = captureKillRestore(pid, ckpt);
        try (CkptReader r = CkptReader.open(ckpt)) {
            ProcessRow p = r.table(Tables.PROCESSES).getFirst();
            assertEquals(pid, p.pid());
            assertEquals(List.of(bin.toString(), "42", work.toString()), p.cmdline());
            assertEquals("criu", r.manifest().producer().tool());
            assertTrue(r.manifest().producer().toolVersion().startsWith("4."), r.manifest().producer().toString());
        }
        long after = Workloads.counter(restored, counterAddr);
        assertTrue(after >= before, "counter kept: " + before + " -> " + after);
        Thread.sleep(2200);
        long later = Workloads.counter(restored, counterAddr);
        assertTrue(later > after, "counter advances after restore: " + after + " -> " + later);
        assertEquals("CKPT-MARKER-42", new String(Workloads.mem(restored, bufAddr, 14), StandardCharsets.US_ASCII));
        assertEquals(work.resolve("data.txt").toString(), Files.readSymbolicLink(Path.of("/proc/" + restored + "/fd/3")).toString());
        assertTrue(Files.readSymbolicLink(Path.of("/proc/" + restored + "/fd/4")).toString().endsWith("deleted.txt (deleted)"));
        assertTrue(Files.readString(Path.of("/proc/" + restored + "/fdinfo/4")).startsWith("pos:\t56"),
                "file position of the deleted file kept (56 bytes written)");
    }

    @Test
    void tcpListenerAcceptsAfterRestore() throws Exception {
        Path bin = w.compile("tcplisten");
        int port = 47100 + ThreadLocalRandom.current().nextInt(800);
        int pid = w.launch(tmp, bin.toString(), Integer.toString(port));
        started.add(pid);
        Thread.sleep(500);
        Path ckpt = tmp.resolve("tcp.ckpt");
        captureKillRestore(pid, ckpt);
        try (CkptReader r = CkptReader.open(ckpt)) {
            SocketRow s = r.table(Tables.SOCKETS).getFirst();
            assertEquals("LISTEN", s.state());
            assertEquals("127.0.0.1:" + port, s.local());
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            assertTrue(s.isConnected());
        }
    }

    @Test
    void processTreeWithAPipeContinues() throws Exception {
        w.compile("pipepair");
        Path script = w.script("tree.sh");
        int root = w.launch(tmp, script.toString());
        started.add(root);
        Thread.sleep(1500);
        Path ckpt = tmp.resolve("tree.ckpt");
        List<Integer> pids;
        int restored = captureKillRestore(root, ckpt);
        try (CkptReader r = CkptReader.open(ckpt)) {
            pids = r.table(Tables.PROCESSES).stream().map(ProcessRow::pid).toList();
            assertEquals(3, pids.size());
            assertEquals(2, r.table(Tables.PIPES).size());
        }
        started.addAll(pids);
        for (int p : pids) assertTrue(Workloads.alive(p), "pid " + p + " restored");
        int writer = pids.get(1), reader = pids.get(2);
        String wpipe = Files.readSymbolicLink(Path.of("/proc/" + writer + "/fd/1")).toString();
        String rpipe = Files.readSymbolicLink(Path.of("/proc/" + reader + "/fd/0")).toString();
        assertTrue(wpipe.startsWith("pipe:"), wpipe);
        assertEquals(wpipe, rpipe, "writer and reader joined by the same pipe again");
        long read0 = Workloads.io(reader, "rchar");
        Thread.sleep(2500);
        assertTrue(Workloads.io(reader, "rchar") > read0, "the reader keeps reading ticks from the writer");
        assertEquals(root, restored);
    }
}
