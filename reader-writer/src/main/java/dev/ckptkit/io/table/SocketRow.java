package dev.ckptkit.io.table;

@Doc("One row per socket.")
public record SocketRow(
        @Doc("files.id of the socket") long fileId,
        @Doc("unix, inet, inet6, netlink, packet") String family,
        @Doc("stream, dgram, seqpacket, raw") String type,
        @Doc("protocol number (6 tcp, 17 udp)") int protocol,
        @Doc("TCP-style state: LISTEN, ESTABLISHED, CLOSE, ...") String state,
        @Doc("local address: ip:port, [ip6]:port or unix path") String local,
        @Doc("peer address, when connected") String peer,
        @Doc("socket inode") Long inode,
        @Doc("peer socket inode (unix sockets)") Long peerInode,
        @Doc("listen backlog") Integer backlog) {
    private static final String[] TCP_STATES = {null, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
            "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    /** The {@code state} name of the kernel's TCP state number (include/net/tcp_states.h; 10 is LISTEN). */
    public static String tcpState(int s) {
        return s > 0 && s < TCP_STATES.length ? TCP_STATES[s] : "state-" + s;
    }
}
