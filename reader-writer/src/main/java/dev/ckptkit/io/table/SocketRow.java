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
        @Doc("listen backlog") Integer backlog) {}
