package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TCP listener, a bound UDP socket and a unix listener (src/test/c/listener.c) are in the image with their state
 * and addresses, and after kill and restart the program answers on the same ports and socket path again, its
 * counters going on (the unix socket file its killed incarnation left behind is replaced).
 */
class ListenerTest {
    private static final Duration T = Duration.ofSeconds(30);
    static NativeTools tools;
    static Path listener;

    @BeforeAll
    static void build() throws Exception {
        tools = NativeTools.extract();
        listener = Workloads.compile("listener");
    }

    /** OUTDIR/status: tcp-port udp-port connections datagrams unix-connections. */
    record Status(int tcpPort, int udpPort, long connections, long datagrams, long unixConnections) {
        static Status read(Path dir) throws IOException {
            long[] v = Workloads.fields(dir.resolve("status"), 5);
            return v == null ? null : new Status((int) v[0], (int) v[1], v[2], v[3], v[4]);
        }
    }

    @Test
    void aListenerAndABoundUdpSocketAnswerOnTheirPortsAfterRestart(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("listener.ckpt");
        Process p = null;
        Restarter.Restarted rs = null;
        try {
            p = Workloads.launch(tools, dir, listener, dir.toString());
            Workloads.awaitSocket(p.pid(), T);
            Status s = Workloads.await(T, () -> Status.read(dir), x -> true, "listener");
            assertEquals("hello 1", tcp(s.tcpPort()));
            assertEquals("udp 1", udp(s.udpPort()));
            Path ctl = dir.resolve("ctl.sock");
            assertEquals("unix 1", unix(ctl));
            Workloads.await(T, () -> Status.read(dir), x -> x.connections() == 1 && x.datagrams() == 1 && x.unixConnections() == 1, "all served");

            new Checkpointer().checkpoint(new Checkpointer.Request((int) p.pid(), image, true, List.of(), Map.of(), null, null));
            assertTrue(Workloads.awaitExit(p.toHandle(), T), "--kill ends it");
            try (CkptReader img = CkptReader.open(image)) {
                List<SocketRow> socks = img.table(Tables.SOCKETS);
                assertTrue(socks.stream().anyMatch(x -> "LISTEN".equals(x.state()) && ("127.0.0.1:" + s.tcpPort()).equals(x.local())
                        && x.protocol() == 6), "the listener's state and address: " + socks);
                assertTrue(socks.stream().anyMatch(x -> "dgram".equals(x.type()) && ("127.0.0.1:" + s.udpPort()).equals(x.local())
                        && x.peer() == null && x.protocol() == 17), "the UDP socket's address: " + socks);
                assertTrue(socks.stream().anyMatch(x -> "unix".equals(x.family()) && "LISTEN".equals(x.state()) && ctl.toString().equals(x.local())),
                        "the unix listener's path: " + socks);
            }

            rs = new Restarter(tools).restart(new Restarter.Request(image, null, Map.of(), List.of(), true, T));
            assertTrue(rs.summary().warnings().stream().noneMatch(w -> w.contains("socket")), "no socket becomes /dev/null: " + rs.summary().warnings());
            assertEquals("hello 2", tcp(s.tcpPort()), "the restarted program accepts on its port, its count goes on");
            assertEquals("udp 2", udp(s.udpPort()));
            assertEquals("unix 2", unix(ctl));
        } finally {
            if (p != null) Workloads.kill(p.toHandle());
            if (rs != null) Workloads.kill(rs.process().toHandle());
        }
    }

    private static String tcp(int port) throws IOException {
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            c.setSoTimeout(10_000);
            InputStream in = c.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
    }

    private static String unix(Path socket) throws IOException {
        try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
            return new String(java.nio.channels.Channels.newInputStream(c).readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
    }

    private static String udp(int port) throws IOException {
        try (DatagramSocket d = new DatagramSocket()) {
            d.setSoTimeout(10_000);
            byte[] q = "hi".getBytes(StandardCharsets.US_ASCII);
            d.send(new DatagramPacket(q, q.length, InetAddress.getLoopbackAddress(), port));
            DatagramPacket r = new DatagramPacket(new byte[64], 64);
            d.receive(r);
            return new String(r.getData(), 0, r.getLength(), StandardCharsets.US_ASCII).trim();
        }
    }
}
