package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.criu.proto.FdinfoEntry;
import dev.ckptkit.backend.criu.proto.FifoEntry;
import dev.ckptkit.backend.criu.proto.FileEntry;
import dev.ckptkit.backend.criu.proto.FownEntry;
import dev.ckptkit.backend.criu.proto.InetSkEntry;
import dev.ckptkit.backend.criu.proto.NetlinkSkEntry;
import dev.ckptkit.backend.criu.proto.PacketSockEntry;
import dev.ckptkit.backend.criu.proto.PipeEntry;
import dev.ckptkit.backend.criu.proto.RegFileEntry;
import dev.ckptkit.backend.criu.proto.UnixSkEntry;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.PipeRow;
import dev.ckptkit.io.table.SocketRow;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * files.img and the fdinfo lists made from the files, fds, pipes and sockets tables. Open file descriptions keep
 * their table ids (so fds point at the same ids after a trip through CRIU); files a process uses without an fd
 * (mapped files, the executable, cwd and root) get regular-file entries with new ids. Descriptions CRIU needs state
 * for that the tables do not have (epoll sets, signalfd masks, inotify watches, eventfd counters, memfd contents)
 * are left out, and so are their fds.
 */
final class CriuFileTable {
    private static final int O_ACCMODE = 3;
    private static final int S_IFMT = 0170000, S_IFREG = 0100000;
    private static final int TCP_CLOSE = 7;
    private static final FownEntry NO_OWNER = FownEntry.newBuilder().setUid(0).setEuid(0).setSignum(0).setPidType(0).setPid(0).build();

    private final Map<Integer, FileEntry> entries = new TreeMap<>();
    private final Map<Long, Integer> idOfRow = new HashMap<>();
    private final Map<Long, Integer> typeOfRow = new HashMap<>();
    private final Map<String, Integer> pathIds = new HashMap<>();
    private int next;

    CriuFileTable(List<FileRow> files, List<PipeRow> pipes, List<SocketRow> sockets) {
        Map<Long, PipeRow> pipeOf = new HashMap<>();
        for (PipeRow p : pipes) pipeOf.put(p.fileId(), p);
        Map<Long, SocketRow> socketOf = new HashMap<>();
        for (SocketRow s : sockets) socketOf.put(s.fileId(), s);
        boolean keepIds = files.stream().allMatch(f -> f.id() > 0 && f.id() <= 0x7fffffffL);
        next = keepIds ? (int) files.stream().mapToLong(FileRow::id).max().orElse(0) + 1 : 1;
        for (FileRow f : files) {
            int id = keepIds ? (int) f.id() : next++;
            FileEntry e = entry(id, f, pipeOf.get(f.id()), socketOf.get(f.id()));
            if (e == null) continue;
            entries.put(id, e);
            idOfRow.put(f.id(), id);
            typeOfRow.put(f.id(), e.getType());
        }
    }

    private FileEntry entry(int id, FileRow f, PipeRow pipe, SocketRow socket) {
        FileEntry.Builder e = FileEntry.newBuilder().setId(id);
        String type = f.type() == null ? "other" : f.type();
        switch (type) {
            case "reg", "dir", "chr", "blk", "tty" -> {
                if (f.path() == null || !f.path().startsWith("/")) return null;
                return e.setType(FdType.REG).setReg(reg(id, f.path(), f.flags(), f.pos(), f.mode(), f.size())).build();
            }
            case "pipe" -> {
                long pipeId = pipe != null ? pipe.pipeId() : f.inode() != null ? f.inode() : 0;
                return e.setType(FdType.PIPE).setPipe(PipeEntry.newBuilder().setId(id).setPipeId((int) pipeId)
                        .setFlags(f.flags()).setFown(NO_OWNER)).build();
            }
            case "fifo" -> {
                if (f.path() == null || !f.path().startsWith("/")) return null;
                int regf = next++;
                entries.put(regf, FileEntry.newBuilder().setType(FdType.REG).setId(regf)
                        .setReg(reg(regf, f.path(), f.flags(), null, f.mode(), null)).build());
                long pipeId = pipe != null ? pipe.pipeId() : f.inode() != null ? f.inode() : 0;
                return e.setType(FdType.FIFO).setFifo(FifoEntry.newBuilder().setId(id).setPipeId((int) pipeId).setRegfId(regf)).build();
            }
            case "socket" -> {
                return socket == null ? null : socket(e, id, f, socket);
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * A regular file entry. Like CRIU, the size is recorded only for regular files open read-only: criu restore
     * refuses a file whose size changed, and files open for writing are expected to.
     */
    private static RegFileEntry reg(int id, String path, int flags, Long pos, Integer mode, Long size) {
        RegFileEntry.Builder r = RegFileEntry.newBuilder().setId(id).setFlags(flags).setPos(pos == null ? 0 : pos)
                .setFown(NO_OWNER).setName(path);
        if (mode != null) r.setMode(mode);
        boolean regular = mode == null || (mode & S_IFMT) == S_IFREG;
        if (size != null && regular && (flags & O_ACCMODE) == 0) r.setSize(size);
        return r.build();
    }

    /**
     * Sockets: the tables know family, type, protocol, inode and sometimes state, addresses and peer. What they do
     * not know is written as an unconnected socket's (state CLOSE, no address).
     */
    private static FileEntry socket(FileEntry.Builder e, int id, FileRow f, SocketRow s) {
        int ino = (int) (long) (s.inode() != null ? s.inode() : f.inode() != null ? f.inode() : 0);
        int type = sockType(s.type());
        int state = tcpState(s.state());
        switch (s.family() == null ? "" : s.family()) {
            case "unix" -> {
                UnixSkEntry.Builder u = UnixSkEntry.newBuilder().setId(id).setIno(ino).setType(type).setState(state)
                        .setFlags(f.flags()).setUflags(0).setBacklog(s.backlog() == null ? 0 : s.backlog())
                        .setPeer(s.peerInode() == null ? 0 : (int) (long) s.peerInode()).setFown(NO_OWNER)
                        .setName(com.google.protobuf.ByteString.copyFrom(unixName(s.local())));
                return e.setType(FdType.UNIXSK).setUsk(u).build();
            }
            case "inet", "inet6" -> {
                boolean v6 = s.family().equals("inet6");
                InetSkEntry.Builder i = InetSkEntry.newBuilder().setId(id).setIno(ino).setFamily(v6 ? 10 : 2).setType(type)
                        .setProto(s.protocol()).setState(state).setFlags(f.flags())
                        .setBacklog(s.backlog() == null ? 0 : s.backlog()).setFown(NO_OWNER);
                address(s.local(), v6, i::setSrcPort, i::addSrcAddr);
                address(s.peer(), v6, i::setDstPort, i::addDstAddr);
                if (i.getSrcAddrCount() == 0) for (int k = 0; k < (v6 ? 4 : 1); k++) i.addSrcAddr(0);
                if (i.getDstAddrCount() == 0) for (int k = 0; k < (v6 ? 4 : 1); k++) i.addDstAddr(0);
                if (!i.hasSrcPort()) i.setSrcPort(0);
                if (!i.hasDstPort()) i.setDstPort(0);
                return e.setType(FdType.INETSK).setIsk(i).build();
            }
            case "netlink" -> {
                return e.setType(FdType.NETLINKSK).setNlsk(NetlinkSkEntry.newBuilder().setId(id).setIno(ino)
                        .setProtocol(s.protocol()).setState(state).setFlags(f.flags()).setPortid(0)).build();
            }
            case "packet" -> {
                return e.setType(FdType.PACKETSK).setPsk(PacketSockEntry.newBuilder().setId(id).setType(type)
                        .setProtocol(s.protocol()).setFlags(f.flags()).setIfindex(0)).build();
            }
            default -> {
                return null;
            }
        }
    }

    private static int sockType(String t) {
        return switch (t == null ? "" : t) {
            case "stream" -> 1;
            case "dgram" -> 2;
            case "raw" -> 3;
            case "seqpacket" -> 5;
            default -> 1;
        };
    }

    private static int tcpState(String s) {
        if (s == null) return TCP_CLOSE;
        return switch (s) {
            case "ESTABLISHED" -> 1;
            case "SYN_SENT" -> 2;
            case "SYN_RECV" -> 3;
            case "FIN_WAIT1" -> 4;
            case "FIN_WAIT2" -> 5;
            case "TIME_WAIT" -> 6;
            case "CLOSE_WAIT" -> 8;
            case "LAST_ACK" -> 9;
            case "LISTEN" -> 10;
            case "CLOSING" -> 11;
            default -> TCP_CLOSE;
        };
    }

    private static byte[] unixName(String local) {
        if (local == null || local.isEmpty()) return new byte[0];
        if (local.startsWith("@")) {
            byte[] n = local.substring(1).getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[n.length + 1];
            System.arraycopy(n, 0, out, 1, n.length);
            return out;
        }
        return local.getBytes(StandardCharsets.UTF_8);
    }

    /** "ip:port" or "[ip6]:port" into CRIU's port and address words (the address bytes read as little-endian u32). */
    private static void address(String a, boolean v6, java.util.function.IntConsumer port, java.util.function.IntConsumer word) {
        if (a == null) return;
        int colon = a.lastIndexOf(':');
        if (colon <= 0) return;
        String host = a.substring(0, colon).replace("[", "").replace("]", "");
        try {
            byte[] b = InetAddress.getByName(host).getAddress();
            if (b.length != (v6 ? 16 : 4)) return;
            port.accept(Integer.parseInt(a.substring(colon + 1)));
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < b.length; i += 4) word.accept(bb.getInt(i));
        } catch (UnknownHostException | NumberFormatException e) {
            // not a literal address: left as an unbound socket's
        }
    }

    /** The id of a regular-file entry for {@code path} (a mapped file, the executable, cwd, root), added on first use. */
    int pathId(String path) {
        return pathIds.computeIfAbsent(path, k -> {
            int id = next++;
            // opened read-only, as CRIU records them
            entries.put(id, FileEntry.newBuilder().setType(FdType.REG).setId(id)
                    .setReg(reg(id, path, 0, 0L, null, null)).build());
            return id;
        });
    }

    /** The fdinfo entries of one process's fds; fds whose description was left out are left out too. */
    List<FdinfoEntry> fdinfo(List<FdRow> fds) {
        List<FdinfoEntry> out = new ArrayList<>();
        for (FdRow fd : fds) {
            Integer id = idOfRow.get(fd.fileId());
            if (id == null) continue;
            out.add(FdinfoEntry.newBuilder().setId(id).setFlags(fd.cloexec() ? 1 : 0).setType(typeOfRow.get(fd.fileId()))
                    .setFd(fd.fd()).build());
        }
        return out;
    }

    List<FileEntry> entries() {
        return List.copyOf(entries.values());
    }
}
