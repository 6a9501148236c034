package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.SocketRow;
import java.util.ArrayList;
import java.util.List;

/**
 * Listening TCP (and bound UDP) ports of the image must be free on the target: restore binds them again and fails with
 * EADDRINUSE otherwise. Skipped when the image brings its own network namespace (root pid 1, a container).
 */
public final class PortRule implements Rule {
    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.hasTarget()) return List.of();
        for (ProcessRow p : ctx.image().processes()) if (p.pid() == 1) return List.of();
        List<Finding> out = new ArrayList<>();
        for (SocketRow s : ctx.image().sockets()) {
            Endpoint e = bound(s);
            if (e == null) continue;
            if (ctx.target().listeningPorts() == null) {
                out.add(finding("HOST_PORTS_UNKNOWN", Severity.UNDECIDED, "port " + e, "the target profile does not list ports in use",
                        "make the profile with ckpt host-profile on the target"));
                continue;
            }
            for (HostProfile.ListeningPort p : ctx.target().listeningPorts()) {
                if (p.proto().equals(e.proto) && p.port() == e.port && overlaps(p.address(), e.address)) {
                    out.add(finding("HOST_PORT_TAKEN", Severity.ERROR, ctx.image().holders(s.fileId()) + " (" + e + ")",
                            e + " is already bound on the target (" + p.proto() + " " + p.address() + ":" + p.port() + ")",
                            "stop the service using port " + e.port + " on the target, or restore into a new network namespace"));
                    break;
                }
            }
        }
        return out;
    }

    record Endpoint(String proto, String address, int port) {
        @Override public String toString() { return proto + " " + (address.contains(":") ? "[" + address + "]" : address) + ":" + port; }
    }

    /** A socket that binds a port on restore: TCP in LISTEN, or a UDP socket with a local port. */
    static Endpoint bound(SocketRow s) {
        if (s.local() == null || !(s.family().equals("inet") || s.family().equals("inet6"))) return null;
        boolean tcp = s.protocol() == 6 && "LISTEN".equals(s.state());
        boolean udp = s.protocol() == 17;
        if (!tcp && !udp) return null;
        int colon = s.local().lastIndexOf(':');
        if (colon < 0) return null;
        int port;
        try {
            port = Integer.parseInt(s.local().substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (port == 0) return null;
        String addr = s.local().substring(0, colon).replace("[", "").replace("]", "");
        return new Endpoint(tcp ? "tcp" : "udp", addr, port);
    }

    /** Wildcards collide with everything; an IPv6 wildcard also takes IPv4 (unless v6only, which we cannot see). */
    static boolean overlaps(String a, String b) {
        return a.equals(b) || wildcard(a) || wildcard(b);
    }

    private static boolean wildcard(String a) {
        return a.equals("0.0.0.0") || a.equals("::") || a.equals("0:0:0:0:0:0:0:0");
    }
}
