package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Memory or files shared with processes outside the image: writable MAP_SHARED file mappings (their content lives in the file,
 * not in the image, and outside writers keep changing it), System V shared memory (needs its IPC namespace), and
 * regular files open for writing.
 */
public final class SharedMemoryRule implements Rule {
    private static final int MAP_SHARED = 1;
    private static final int PROT_WRITE = 2;
    private static final int O_ACCMODE = 3;

    @Override public String group() { return "leak"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        List<Finding> out = new ArrayList<>();
        Map<String, Set<Integer>> sharedBy = new HashMap<>();
        for (MemoryAreaRow a : ctx.image().areas()) {
            // read-only shared mappings (locale archives, gconv caches) cannot carry state between processes
            if ((a.flags() & MAP_SHARED) == 0 || (a.prot() & PROT_WRITE) == 0 || a.path() == null) continue;
            sharedBy.computeIfAbsent(a.path(), k -> new HashSet<>()).add(a.pid());
        }
        for (var e : sharedBy.entrySet()) {
            String path = e.getKey();
            if (path.startsWith("/SYSV")) {
                out.add(finding("LEAK_SYSV_SHM", Severity.WARNING, "shm " + path + " (pids " + e.getValue() + ")",
                        "System V shared memory: other processes of the same IPC namespace may attach it",
                        "checkpoint with the IPC namespace (--namespaces ipc) or all processes that attach it"));
            } else if (NeededFiles.hostPath(path)) {
                out.add(finding("LEAK_SHARED_MAPPING", Severity.WARNING, "file " + path + " (pids " + e.getValue() + ")",
                        "mapped MAP_SHARED: its content is the file's, not the image's; processes outside may have changed it since",
                        "make sure no process outside writes the file between checkpoint and restore"));
            }
        }
        for (FileRow f : ctx.image().files()) {
            if (!"reg".equals(f.type()) || f.deleted() || (f.flags() & O_ACCMODE) == 0 || !NeededFiles.hostPath(f.path())) continue;
            out.add(finding("LEAK_SHARED_FILE", Severity.WARNING, ctx.image().holders(f.id()) + " (" + f.path() + ")",
                    "open for writing: the file is shared with the host, and a restore reopens it at offset " + f.pos()
                            + " whatever it holds by then",
                    "keep the file as it was at checkpoint time (the size is checked on restore)"));
        }
        return out;
    }
}
