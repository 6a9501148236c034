package dev.ckptkit.analyzer.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Listening TCP and bound UDP sockets from /proc/net/{tcp,tcp6,udp,udp6} of the reader's network namespace. */
final class ListeningPorts {
    private static final String TCP_LISTEN = "0A";
    private static final String UDP_UNCONNECTED = "07";

    private ListeningPorts() {}

    static List<HostProfile.ListeningPort> read(Path procNet) {
        List<HostProfile.ListeningPort> out = new ArrayList<>();
        boolean any = false;
        for (String proto : List.of("tcp", "tcp6", "udp", "udp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(procNet.resolve(proto));
                any = true;
            } catch (IOException e) {
                continue;
            }
            String want = proto.startsWith("tcp") ? TCP_LISTEN : UDP_UNCONNECTED;
            for (String l : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = l.trim().split("\\s+");
                if (f.length < 4 || !f[3].equals(want)) continue;
                String[] local = f[1].split(":");
                if (local.length != 2) continue;
                int port = Integer.parseInt(local[1], 16);
                if (port == 0) continue;
                out.add(new HostProfile.ListeningPort(proto.substring(0, 3), address(local[0]), port));
            }
        }
        return any ? out : null;
    }

    /** The kernel prints addresses as 32-bit words in host order (little-endian here), IPv6 as four such words. */
    static String address(String hex) {
        if (hex.length() == 8) {
            long v = Long.parseLong(hex, 16);
            return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
        }
        byte[] b = new byte[16];
        for (int w = 0; w < 4; w++) {
            long v = Long.parseLong(hex.substring(w * 8, w * 8 + 8), 16);
            for (int i = 0; i < 4; i++) b[w * 4 + i] = (byte) (v >> (8 * i));
        }
        try {
            String s = java.net.InetAddress.getByAddress(b).getHostAddress();
            return s.equals("0:0:0:0:0:0:0:0") ? "::" : s;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(hex, e);
        }
    }
}
