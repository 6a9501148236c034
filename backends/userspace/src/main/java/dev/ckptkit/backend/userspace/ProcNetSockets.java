package dev.ckptkit.backend.userspace;

import dev.ckptkit.io.table.SocketRow;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sockets of a process's network namespace, by inode, from /proc/PID/net/{tcp,tcp6,udp,udp6,unix}: what a
 * socket's descriptor alone does not tell (state, local and peer address; for unix sockets whether they listen, and
 * their name). Read while the processes are stopped.
 */
final class ProcNetSockets {
    private ProcNetSockets() {}

    /** A socket as /proc/net shows it; {@code peer} null when unconnected. */
    record Entry(boolean v6, int protocol, String state, String local, String peer) {}

    /** What names the network namespace of process {@code pid} ("net:[INODE]"), or the pid when that cannot be read. */
    static String namespace(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", "net")).toString();
        } catch (IOException e) {
            return "pid " + pid;
        }
    }

    static Map<Long, Entry> of(int pid) {
        Map<Long, Entry> out = new HashMap<>();
        for (String name : List.of("tcp", "tcp6", "udp", "udp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "net", name));
            } catch (IOException e) {
                continue;  // no IPv6, or the process is gone: those sockets stay undescribed
            }
            boolean v6 = name.endsWith("6"), tcp = name.startsWith("tcp");
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                Entry e;
                String[] f = line.trim().split("\\s+");
                if (f.length < 10) continue;
                try {
                    int st = Integer.parseInt(f[3], 16);
                    String peer = address(f[2], v6);
                    boolean connected = !peer.endsWith(":0");
                    // UDP reuses the TCP numbers: 7 (CLOSE) unconnected, 1 (ESTABLISHED) connected
                    e = new Entry(v6, tcp ? 6 : 17, SocketRow.tcpState(st), address(f[1], v6), connected ? peer : null);
                    out.put(Long.parseLong(f[9]), e);
                } catch (RuntimeException bad) {
                    // a line of another layout: skip it
                }
            }
        }
        unix(pid, out);
        return out;
    }

    /** /proc/PID/net/unix: "Num RefCount Protocol Flags Type St Inode [Path]"; flag 0x10000 is a listener. */
    private static void unix(int pid, Map<Long, Entry> out) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "net", "unix"));
        } catch (IOException e) {
            return;
        }
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+", 8);
            if (f.length < 7) continue;
            try {
                boolean listening = (Long.parseLong(f[3], 16) & 0x10000) != 0;
                out.put(Long.parseLong(f[6]), new Entry(false, 0, listening ? "LISTEN" : null, f.length > 7 ? f[7] : null, null));
            } catch (RuntimeException bad) {
                // a line of another layout: skip it
            }
        }
    }

    /** "0100007F:1F90" (the address as native-endian 32-bit words, the port big-endian) as "127.0.0.1:8080". */
    static String address(String hex, boolean v6) {
        int colon = hex.indexOf(':');
        String words = hex.substring(0, colon);
        int port = Integer.parseInt(hex.substring(colon + 1), 16);
        ByteBuffer b = ByteBuffer.allocate(words.length() / 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 8 <= words.length(); i += 8) b.putInt((int) Long.parseLong(words.substring(i, i + 8), 16));
        try {
            String host = InetAddress.getByAddress(b.array()).getHostAddress();
            return v6 ? "[" + host + "]:" + port : host + ":" + port;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + b.capacity() + " bytes", e);
        }
    }
}
