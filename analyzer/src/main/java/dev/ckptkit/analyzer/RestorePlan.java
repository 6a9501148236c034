package dev.ckptkit.analyzer;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.MountRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What restoring an image needs from this host, from its common tables alone: the processes and whether their
 * pids are free, the files that must exist (open files, cwd/root, executables, file mappings), the sockets and
 * mounts to recreate. Only reads the image and stats paths; restores nothing.
 */
public record RestorePlan(String image, List<Proc> processes, List<NeededFile> files, List<Socket> sockets,
                          List<Mount> mounts, boolean ownNamespaces, List<ParentChain.Link> parents, List<String> problems) {

    public record Proc(int pid, int ppid, String comm, String exe, int threads, boolean pidInUse) {}

    /** A path the restore opens or maps; {@code carried} when the image holds the content (deleted files). */
    public record NeededFile(String path, List<String> usedAs, boolean carried, boolean present) {}

    public record Socket(String family, String type, String state, String local, String peer, String note) {}

    public record Mount(int id, String mountpoint, String fstype, String source, boolean external) {}

    public static RestorePlan of(CkptReader r) throws IOException {
        return of(r, null);
    }

    /**
     * @param chain the image's parent chain as resolved by the caller, or null: then an incremental image is
     *              reported as needing a parent that was not looked for
     */
    public static RestorePlan of(CkptReader r, ParentChain chain) throws IOException {
        List<String> problems = new ArrayList<>();
        List<ParentChain.Link> parents = new ArrayList<>();
        if (chain != null) {
            parents.addAll(chain.links());
            if (!chain.complete()) problems.add(chain.problem());
        } else if (ParentChain.needsParent(r)) {
            var ref = r.manifest().parent();
            String why = r.path() + " has " + ParentChain.absentPages(r) + " pages in its parent image: restore needs the parent chain (--parent FILE)";
            parents.add(new ParentChain.Link(String.valueOf(r.path()), ParentChain.absentPages(r), ref == null ? null : ref.uuid(),
                    ref == null ? null : ref.path(), null, why));
            problems.add(why);
        }
        List<Proc> procs = new ArrayList<>();
        // an image with its own mount table (a container) restores into new namespaces: its pids and paths are
        // not this host's, so they are listed but not checked against it
        boolean ownNamespaces = !r.table(Tables.MOUNTS).isEmpty();
        for (ProcessRow p : r.table(Tables.PROCESSES)) {
            boolean inUse = !ownNamespaces && Files.exists(Path.of("/proc", Integer.toString(p.pid())));
            if (inUse) problems.add("pid " + p.pid() + " (" + p.comm() + ") is in use on this host; restore needs it free");
            procs.add(new Proc(p.pid(), p.ppid(), p.comm(), p.exe(), p.threads(), inUse));
        }
        Map<String, Set<String>> uses = new TreeMap<>();
        Map<String, Boolean> carried = new TreeMap<>();
        Map<Long, FileRow> files = new TreeMap<>();
        for (FileRow f : r.table(Tables.FILES)) files.put(f.id(), f);
        for (FdRow fd : r.table(Tables.FDS)) {
            FileRow f = files.get(fd.fileId());
            if (f == null || f.path() == null || !f.path().startsWith("/")) continue;
            use(uses, carried, f.path(), "fd " + fd.fd() + " of pid " + fd.pid(), f.deleted());
        }
        for (ProcessRow p : r.table(Tables.PROCESSES)) {
            if (p.exe() != null) use(uses, carried, p.exe(), "exe of pid " + p.pid(), false);
            if (p.cwd() != null) use(uses, carried, p.cwd(), "cwd of pid " + p.pid(), false);
        }
        for (MemoryAreaRow a : r.table(Tables.MEMORY_AREAS)) {
            if (a.path() != null && a.path().startsWith("/")) use(uses, carried, a.path(), "mapped by pid " + a.pid(), false);
        }
        List<NeededFile> needed = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : uses.entrySet()) {
            boolean isCarried = carried.get(e.getKey());
            boolean present = Files.exists(Path.of(e.getKey()), LinkOption.NOFOLLOW_LINKS);
            if (!isCarried && !present && !ownNamespaces) problems.add("missing file " + e.getKey() + " (" + e.getValue().iterator().next() + ")");
            needed.add(new NeededFile(e.getKey(), List.copyOf(e.getValue()), isCarried, present));
        }
        List<Socket> sockets = new ArrayList<>();
        for (SocketRow s : r.table(Tables.SOCKETS)) {
            String note = null;
            if ("LISTEN".equals(s.state()) && s.family().startsWith("inet")) note = "needs " + s.local() + " free";
            else if ("ESTABLISHED".equals(s.state()) && s.family().startsWith("inet")) note = "needs --tcp-established";
            sockets.add(new Socket(s.family(), s.type(), s.state(), s.local(), s.peer(), note));
        }
        List<Mount> mounts = new ArrayList<>();
        for (MountRow m : r.table(Tables.MOUNTS)) mounts.add(new Mount(m.mountId(), m.mountpoint(), m.fstype(), m.source(), m.external()));
        return new RestorePlan(r.path().toString(), procs, needed, sockets, mounts, ownNamespaces, List.copyOf(parents), problems);
    }

    private static void use(Map<String, Set<String>> uses, Map<String, Boolean> carried, String path, String how, boolean deleted) {
        uses.computeIfAbsent(path, k -> new LinkedHashSet<>()).add(how);
        carried.merge(path, deleted, Boolean::logicalOr);
    }

    /** The plan as text for a terminal. */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append("restore plan for ").append(image).append('\n');
        b.append("processes (").append(processes.size()).append("):\n");
        for (Proc p : processes) {
            b.append(String.format("  %7d  ppid %-7d %-16s %s%s%n", p.pid(), p.ppid(), p.comm(), p.exe() == null ? "" : p.exe(),
                    p.pidInUse() ? "   PID IN USE" : ""));
        }
        b.append("files needed (").append(files.size()).append("):\n");
        for (NeededFile f : files) {
            String state = f.carried() ? "in image (deleted file)" : f.present() ? "present" : "MISSING";
            b.append(String.format("  %-9s %s  [%s]%n", state.startsWith("in image") ? "carried" : state, f.path(), String.join(", ", f.usedAs())));
        }
        b.append("sockets (").append(sockets.size()).append("):\n");
        for (Socket s : sockets) {
            b.append(String.format("  %-6s %-6s %-12s %s%s%s%n", s.family(), s.type(), s.state() == null ? "-" : s.state(),
                    s.local() == null ? "" : s.local(), s.peer() == null ? "" : " -> " + s.peer(), s.note() == null ? "" : "  (" + s.note() + ")"));
        }
        b.append("mounts (").append(mounts.size()).append("):\n");
        for (Mount m : mounts) {
            b.append(String.format("  %4d %-30s %-10s %s%s%n", m.id(), m.mountpoint(), m.fstype(), m.source(), m.external() ? " (external)" : ""));
        }
        if (!parents.isEmpty()) {
            b.append("parent chain (").append(parents.size()).append("):\n");
            for (ParentChain.Link l : parents) {
                b.append(String.format("  %s: %d pages in parent %s%s -> %s%n", l.child(), l.absentPages(),
                        l.uuid() == null ? "(UUID not recorded)" : l.uuid(), l.hint() == null ? "" : " (path hint " + l.hint() + ")",
                        l.foundAt() != null ? "found at " + l.foundAt() : "MISSING"));
            }
        }
        if (ownNamespaces) b.append("note: the image has its own mount table (a container): pids and paths are inside its namespaces, not checked against this host\n");
        if (problems.isEmpty()) b.append("ready: no problems found on this host\n");
        else for (String p : problems) b.append("problem: ").append(p).append('\n');
        return b.toString();
    }
}
