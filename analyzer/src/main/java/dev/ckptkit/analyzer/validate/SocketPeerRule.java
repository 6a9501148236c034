package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.SocketRow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A connected unix socket whose peer socket is not in the image (the peer is a process outside, e.g. a daemon). */
public final class SocketPeerRule implements Rule {
    @Override public String group() { return "leak"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        Set<Long> inodes = new HashSet<>();
        for (SocketRow s : ctx.image().sockets()) if (s.inode() != null) inodes.add(s.inode());
        List<Finding> out = new ArrayList<>();
        for (SocketRow s : ctx.image().sockets()) {
            if (!"unix".equals(s.family()) || s.peerInode() == null || s.peerInode() == 0 || inodes.contains(s.peerInode())) continue;
            String obj = ctx.image().holders(s.fileId()) + " (unix " + s.type() + (s.peer() == null ? "" : " -> " + s.peer()) + ")";
            if ("dgram".equals(s.type())) {
                out.add(finding("LEAK_UNIX_PEER", Severity.WARNING, obj,
                        "datagram socket sends to a socket outside the image; it is re-connected by path at restore",
                        "make sure " + (s.peer() == null ? "the peer" : s.peer()) + " exists and listens on the target"));
            } else {
                out.add(finding("LEAK_UNIX_PEER", Severity.ERROR, obj,
                        "connected " + s.type() + " unix socket whose peer (inode " + s.peerInode() + ") is a process outside the image: "
                                + "a stream connection cannot be re-established with a process that was not checkpointed",
                        "checkpoint the peer too, or dump with --ext-unix-sk and have the application reconnect after restore"));
            }
        }
        return out;
    }
}
