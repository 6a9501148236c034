package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.PipeRow;
import dev.ckptkit.io.table.SocketRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Userspace-style images (DMTCP, in-process checkpointers; manifest style "userspace") restore by re-running the
 * program and refilling its memory: pids are virtualised (PidRule does not apply), but kernel objects are rebuilt only
 * as far as the checkpointer's plugins know them. Connections to processes outside the computation, deleted files
 * without saved content, and terminals are out of their reach.
 *
 * <p>ckpt's own userspace images (producer backend "userspace") say more precisely what {@code ckpt restart} brings
 * back: the whole process tree, the pipes between its processes with the bytes they held (attachments
 * {@code pipe-data/PIPE_ID}), unix socket pairs between them with their queues ({@code socket-data/INODE}), files at
 * their positions; other sockets become /dev/null.
 */
public final class UserspaceRule implements Rule {
    @Override public String group() { return "userspace"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.image().userspace()) return List.of();
        List<Finding> out = new ArrayList<>();
        boolean own = ctx.image().manifest().producer() != null && "userspace".equals(ctx.image().manifest().producer().backend());
        if (own) {
            out.add(finding("USERSPACE_SCOPE", Severity.INFO, "image",
                    "ckpt userspace image of " + ctx.image().processes().size() + " process(es): 'ckpt restart' recreates the tree with its"
                            + " original pids (getpid/getppid), the pipes, FIFOs and unix socket pairs between its processes with their"
                            + " buffered bytes, files at their positions (one shared offset where a description was shared across fork or dup),"
                            + " TCP and unix listeners and bound UDP sockets on their addresses",
                    "restart with 'ckpt restart IMAGE' (x86_64, same kernel vDSO layout)"));
            Set<Long> inodes = new TreeSet<>();
            for (SocketRow s : ctx.image().sockets()) if ("unix".equals(s.family()) && s.inode() != null) inodes.add(s.inode());
            for (SocketRow s : ctx.image().sockets()) {
                if ("unix".equals(s.family()) && s.peerInode() != null && inodes.contains(s.peerInode())) continue;  // a pair inside
                if (rebound(s)) continue;  // made, bound (and listening) again; PortRule checks the port
                out.add(finding("USERSPACE_SOCKET_PLACEHOLDER", Severity.WARNING, ctx.image().holders(s.fileId()) + " (" + s.family() + " " + s.type() + ")",
                        "'ckpt restart' rebuilds unix socket pairs whose both ends are in the image, TCP and unix listeners and"
                                + " bound UDP sockets, not connections: this fd becomes /dev/null",
                        "make the application reconnect in a ckpt_on_restart callback or a --hook"));
            }
            out.addAll(lostPipeContents(ctx));
        } else {
            out.add(finding("USERSPACE_SCOPE", Severity.INFO, "image",
                    "userspace image: pids are virtualised, memory is refilled by the restarted program; kernel state is rebuilt by plugins",
                    "restart with the same checkpointer version (e.g. dmtcp_restart) and its plugins"));
        }
        for (SocketRow s : ctx.image().sockets()) {
            if (s.peer() != null && !"LISTEN".equals(s.state()) && !"unix".equals(s.family())) {
                out.add(finding("USERSPACE_EXTERNAL_CONNECTION", Severity.ERROR, ctx.image().holders(s.fileId()) + " (" + s.local() + " -> " + s.peer() + ")",
                        "a userspace checkpointer cannot restore a connection to a process outside the computation (no TCP repair)",
                        "checkpoint the peer within the same computation, or make the application reconnect on restart"));
            }
        }
        for (FileRow f : ctx.image().files()) {
            if (f.deleted() && f.attachment() == null) {
                out.add(finding("USERSPACE_DELETED_FILE", Severity.ERROR, ctx.image().holders(f.id()) + " (" + f.path() + ")",
                        "file was unlinked while open and its content is not in the image", "checkpoint with the checkpointer's option to save open files"));
            }
        }
        return out;
    }

    /** A TCP or unix listener or a bound, unconnected UDP socket: what the restart binds again to its address. */
    private static boolean rebound(SocketRow s) {
        if ("unix".equals(s.family())) return "LISTEN".equals(s.state()) && s.local() != null;
        if (s.family() == null || !s.family().startsWith("inet") || s.local() == null) return false;
        return "stream".equals(s.type()) ? "LISTEN".equals(s.state())
                : "dgram".equals(s.type()) && s.peer() == null && !s.local().endsWith(":0");
    }

    /** Pipes that held bytes whose content the image does not carry: the restart makes them empty. Needs the reader. */
    private List<Finding> lostPipeContents(ValidationContext ctx) {
        if (ctx.reader() == null) return List.of();
        Set<String> attachments = ctx.reader().attachments().keySet();
        Set<Long> reported = new TreeSet<>();
        List<Finding> out = new ArrayList<>();
        for (PipeRow p : ctx.image().pipes()) {
            if (p.buffered() <= 0 || attachments.contains("pipe-data/" + p.pipeId()) || !reported.add(p.pipeId())) continue;
            String what = p.path() == null ? "pipe:[" + p.pipeId() + "]" : "fifo " + p.path();
            out.add(finding("USERSPACE_PIPE_CONTENT_LOST", Severity.WARNING, ctx.image().holders(p.fileId()) + " (" + what + ")",
                    p.buffered() + " bytes were buffered in the pipe but the image does not carry them: the restart recreates it empty",
                    "checkpoint again with a libckpt.so that saves pipe contents (pipes over 1 MiB are never saved)"));
        }
        return out;
    }
}
