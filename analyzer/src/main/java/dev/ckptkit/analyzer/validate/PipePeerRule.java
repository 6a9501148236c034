package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.PipeRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pipe with only its read ends or only its write ends in the image: the peer is a process outside. The restorer
 * makes a fresh pipe, so the restored side sees EOF (reader) or EPIPE/SIGPIPE (writer).
 */
public final class PipePeerRule implements Rule {
    private static final int O_ACCMODE = 3;

    @Override public String group() { return "leak"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        Map<Long, boolean[]> ends = new TreeMap<>();
        Map<Long, PipeRow> any = new TreeMap<>();
        for (PipeRow p : ctx.image().pipes()) {
            boolean[] e = ends.computeIfAbsent(p.pipeId(), k -> new boolean[2]);
            int acc = p.flags() & O_ACCMODE;
            if (acc == 0 || acc == 2) e[0] = true;
            if (acc == 1 || acc == 2) e[1] = true;
            any.putIfAbsent(p.pipeId(), p);
        }
        List<Finding> out = new ArrayList<>();
        for (var e : ends.entrySet()) {
            boolean[] re = e.getValue();
            if (re[0] && re[1]) continue;
            PipeRow p = any.get(e.getKey());
            String kind = p.path() == null ? "pipe:[" + e.getKey() + "]" : "fifo " + p.path();
            out.add(finding("LEAK_PIPE_PEER", Severity.WARNING, ctx.image().holders(p.fileId()) + " (" + kind + ")",
                    "only the " + (re[0] ? "read" : "write") + " end of " + kind + " is in the image; its "
                            + (re[0] ? "writer" : "reader") + " was a process outside the checkpoint",
                    "checkpoint the peer process too, or give the restore a replacement end (criu restore --inherit-fd fd[N]:pipe:["
                            + e.getKey() + "])"));
        }
        return out;
    }
}
