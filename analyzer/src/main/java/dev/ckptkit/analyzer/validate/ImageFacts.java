package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.MountRow;
import dev.ckptkit.io.table.NamespaceRow;
import dev.ckptkit.io.table.PipeRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.io.table.ThreadRow;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The tables of an image that rules look at, read once. */
public record ImageFacts(Manifest manifest, List<ProcessRow> processes, List<ThreadRow> threads,
                         List<MemoryAreaRow> areas, List<FileRow> files, List<FdRow> fds, List<PipeRow> pipes,
                         List<SocketRow> sockets, List<MountRow> mounts, List<NamespaceRow> namespaces) {

    public static ImageFacts load(CkptReader r) throws CorruptImageException {
        return new ImageFacts(r.manifest(), r.table(Tables.PROCESSES), r.table(Tables.THREADS),
                r.table(Tables.MEMORY_AREAS), r.table(Tables.FILES), r.table(Tables.FDS), r.table(Tables.PIPES),
                r.table(Tables.SOCKETS), r.table(Tables.MOUNTS), r.table(Tables.NAMESPACES));
    }

    public Set<Integer> pids() {
        Set<Integer> s = new LinkedHashSet<>();
        for (ProcessRow p : processes) s.add(p.pid());
        return s;
    }

    public Map<Long, FileRow> filesById() {
        Map<Long, FileRow> m = new HashMap<>();
        for (FileRow f : files) m.put(f.id(), f);
        return m;
    }

    /** Userspace-style images (DMTCP, in-process checkpointers) restore pids, sockets etc. by their own means. */
    public boolean userspace() {
        return manifest != null && "userspace".equals(manifest.style());
    }

    /** The pids of the fds that point to a file description, for naming the object of a finding. */
    public String holders(long fileId) {
        StringBuilder sb = new StringBuilder();
        for (FdRow fd : fds) {
            if (fd.fileId() != fileId) continue;
            if (!sb.isEmpty()) sb.append(", ");
            sb.append("pid ").append(fd.pid()).append(" fd ").append(fd.fd());
        }
        return sb.isEmpty() ? "file id " + fileId : sb.toString();
    }
}
