package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.SocketRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Established TCP connections are restored with the kernel's TCP repair mode: it needs CAP_NET_ADMIN, the same local
 * IP on the target, --tcp-established on dump and restore, and the peer still holding the connection.
 */
public final class TcpRepairRule implements Rule {
    private static final int CAP_NET_ADMIN = 12;
    private static final Set<String> CONNECTED = Set.of("ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
            "CLOSE_WAIT", "LAST_ACK", "CLOSING");

    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        List<Finding> out = new ArrayList<>();
        for (SocketRow s : ctx.image().sockets()) {
            if (s.protocol() != 6 || s.state() == null || !CONNECTED.contains(s.state())) continue;
            String obj = ctx.image().holders(s.fileId()) + " (tcp " + s.local() + " -> " + s.peer() + ")";
            Long cap = ctx.hasTarget() ? ctx.target().capEff() : null;
            if (cap != null && (cap & (1L << CAP_NET_ADMIN)) == 0) {
                out.add(finding("HOST_TCP_REPAIR", Severity.ERROR, obj,
                        "an established TCP connection needs TCP repair mode, which needs CAP_NET_ADMIN; the target profile lacks it",
                        "restore as root (or with CAP_NET_ADMIN)"));
            } else {
                out.add(finding("HOST_TCP_ESTABLISHED", Severity.WARNING, obj,
                        "established TCP connection: restored only with criu restore --tcp-established, with local address "
                                + s.local() + " present on the target and the peer still connected",
                        "restore with --tcp-established on a host with the same IP; otherwise the application must reconnect"));
            }
        }
        return out;
    }
}
