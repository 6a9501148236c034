package dev.ckptkit.backend.userspace;

import dev.ckptkit.io.table.SocketRow;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The struct sockaddr_in / sockaddr_in6 a restart binds a socket to again, from its row. */
final class Sockaddrs {
    private static final short AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;

    private Sockaddrs() {}

    /**
     * The address to bind a TCP or unix listener or a bound, unconnected UDP socket to; null for any other socket
     * (connected ones need the peer, which a userspace restart cannot bring back) or an address that does not parse.
     */
    static byte[] of(SocketRow s) {
        if (s != null && "unix".equals(s.family()) && "LISTEN".equals(s.state()) && s.local() != null && !s.local().isEmpty()) {
            return unix(s.local());
        }
        if (s == null || s.local() == null || s.family() == null || !s.family().startsWith("inet")) return null;
        boolean listener = "stream".equals(s.type()) && "LISTEN".equals(s.state());
        boolean boundUdp = "dgram".equals(s.type()) && s.peer() == null && !s.local().endsWith(":0");
        if (!listener && !boundUdp) return null;
        int colon = s.local().lastIndexOf(':');
        if (colon < 0) return null;
        String host = s.local().substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        try {
            int port = Integer.parseInt(s.local().substring(colon + 1));
            InetAddress a = InetAddress.ofLiteral(host);
            boolean v6 = a instanceof Inet6Address;
            ByteBuffer b = ByteBuffer.allocate(v6 ? 28 : 16).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort(v6 ? AF_INET6 : AF_INET).order(ByteOrder.BIG_ENDIAN).putShort((short) port);
            if (v6) b.putInt(0);  // flowinfo
            b.put(a.getAddress());  // then zeros: sin_zero, or sin6_scope_id
            return b.array();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A struct sockaddr_un for a path, or for an abstract name ("@name": a leading NUL, no terminating one). */
    private static byte[] unix(String name) {
        boolean abstractName = name.startsWith("@");
        byte[] n = (abstractName ? name.substring(1) : name).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (n.length > 107) return null;  // sun_path is 108 bytes
        ByteBuffer b = ByteBuffer.allocate(2 + 1 + n.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(AF_UNIX);
        if (abstractName) b.put((byte) 0).put(n);
        else b.put(n).put((byte) 0);
        return b.array();
    }

    /** The socket(2) type: 1 stream, 2 dgram, 5 seqpacket. */
    static int type(SocketRow s) {
        return switch (s.type()) {
            case "dgram" -> 2;
            case "seqpacket" -> 5;
            default -> 1;
        };
    }
}
