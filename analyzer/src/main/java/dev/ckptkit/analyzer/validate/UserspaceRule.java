package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.SocketRow;
import java.util.ArrayList;
import java.util.List;

/**
 * Userspace-style images (DMTCP, in-process checkpointers; manifest style "userspace") restore by re-running the
 * program and refilling its memory: pids are virtualised (PidRule does not apply), but kernel objects are rebuilt only
 * as far as the checkpointer's plugins know them. Connections to processes outside the computation, deleted files
 * without saved content, and terminals are out of their reach.
 */
public final class UserspaceRule implements Rule {
    @Override public String group() { return "userspace"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.image().userspace()) return List.of();
        List<Finding> out = new ArrayList<>();
        out.add(finding("USERSPACE_SCOPE", Severity.INFO, "image",
                "userspace image: pids are virtualised, memory is refilled by the restarted program; kernel state is rebuilt by plugins",
                "restart with the same checkpointer version (e.g. dmtcp_restart) and its plugins"));
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
}
