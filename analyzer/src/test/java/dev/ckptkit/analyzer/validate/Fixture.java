package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.MountRow;
import dev.ckptkit.io.table.NamespaceRow;
import dev.ckptkit.io.table.PipeRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.ThreadRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Builds small images (as tables) and host profiles for rule tests; each test changes one fact. */
final class Fixture {
    String style = "kernel";
    String producer = "test";
    Manifest.Host host = new Manifest.Host(null, null, "x86_64", 4096, null, null, null, null, null);
    final List<ProcessRow> processes = new ArrayList<>();
    final List<ThreadRow> threads = new ArrayList<>();
    final List<MemoryAreaRow> areas = new ArrayList<>();
    final List<FileRow> files = new ArrayList<>();
    final List<FdRow> fds = new ArrayList<>();
    final List<PipeRow> pipes = new ArrayList<>();
    final List<SocketRow> sockets = new ArrayList<>();
    final List<MountRow> mounts = new ArrayList<>();
    final List<NamespaceRow> namespaces = new ArrayList<>();

    /** A one-process image like the real tcp workload: pid 100, session leader, exe, libc, cwd. */
    static Fixture oneProcess() {
        Fixture f = new Fixture();
        f.process(100, 0, 100, 100);
        f.file(1, "reg", "/usr/bin/app", 0, 20_000L);
        f.file(2, "reg", "/usr/lib/libc.so.6", 0, 1_900_000L);
        f.file(3, "dir", "/srv/app", 0, null);
        f.area(100, 0x5500_0000_0000L, 0x5500_0000_4000L, 5, 2, "/usr/bin/app", "file");
        f.area(100, 0x7f00_0000_0000L, 0x7f00_0010_0000L, 5, 2, "/usr/lib/libc.so.6", "file");
        f.area(100, 0x7ffd_0000_0000L, 0x7ffd_0002_0000L, 3, 0x122, null, "stack");
        return f;
    }

    ProcessRow process(int pid, int ppid, int pgid, int sid) {
        ProcessRow p = new ProcessRow(pid, ppid, pgid, sid, "app", "/usr/bin/app", List.of("app"), List.of("PATH=/bin"),
                1000L, 1000L, 1000L, 1000L, 1000L, 1000L, 1000L, 1000L, List.of(), 0L, 0L, "/srv/app", "/", "sleeping", null, 1);
        processes.add(p);
        threads.add(new ThreadRow(pid, pid, "app", "x86_64", List.of(), new byte[0], "xsave", 0xA2L, 0L, 0L, null));
        return p;
    }

    void replaceProcess(ProcessRow p) {
        processes.replaceAll(q -> q.pid() == p.pid() ? p : q);
    }

    FileRow file(long id, String type, String path, int flags, Long size) {
        FileRow f = new FileRow(id, type, path, flags, 0L, size, null, null, null, false, null, null);
        files.add(f);
        return f;
    }

    void area(int pid, long start, long end, int prot, int flags, String path, String kind) {
        areas.add(new MemoryAreaRow(pid, start, end, prot, flags, 0, path, kind, null, null, null));
    }

    void fd(int pid, int fd, long fileId) {
        fds.add(new FdRow(pid, fd, fileId, false));
    }

    void socket(long fileId, String family, int protocol, String state, String local, String peer, Long inode, Long peerInode) {
        file(fileId, "socket", "socket:[" + inode + "]", 2, null);
        sockets.add(new SocketRow(fileId, family, protocol == 17 ? "dgram" : "stream", protocol, state, local, peer, inode, peerInode, null));
    }

    ImageFacts facts() {
        Manifest m = new Manifest(Manifest.SCHEMA, new Manifest.Producer(producer, null, null, null, null), style, host,
                null, null, null, null);
        return new ImageFacts(m, processes, threads, areas, files, fds, pipes, sockets, mounts, namespaces);
    }

    ValidationContext on(HostProfile target) {
        return new ValidationContext(facts(), null, target);
    }

    ValidationContext alone() {
        return new ValidationContext(facts(), null, null);
    }

    /** A target host that has everything the fixture needs (all files as in the image, nothing in use). */
    HostProfile matchingHost() {
        List<HostProfile.NeededFile> present = new ArrayList<>();
        for (NeededFiles.Need n : NeededFiles.of(facts())) {
            present.add(new HostProfile.NeededFile(n.path(), true, n.type(), n.size(), 1_700_000_000_000L, n.buildId()));
        }
        List<String> flags = List.of("fpu", "sse", "sse2", "xsave", "avx", "avx2", "avx512f");
        return new HostProfile(HostProfile.SCHEMA, "target", new HostProfile.Kernel("6.18.0", "#1",
                new HostProfile.CriuCheck("/usr/sbin/criu", "4.2.1", true, true, List.of())), "x86_64", 4096,
                new HostProfile.Cpu("GenuineIntel", "test cpu", flags),
                new HostProfile.Xsave(XsaveFeatures.fromFlags(flags), XsaveFeatures.size(XsaveFeatures.fromFlags(flags)), "cpuinfo-flags"),
                8192L, 4_194_304, List.of(1, 2, 3), 8L << 30, List.of(new HostProfile.Mount("/", "ext4", "/dev/vda")), "2",
                -1L >>> 23, List.of("capability"), Map.of("root", 0L, "app", 1000L), Map.of("root", 0L, "app", 1000L),
                List.of(new HostProfile.ListeningPort("tcp", "0.0.0.0", 22)), present);
    }

    static Set<String> codes(List<Finding> findings) {
        Set<String> s = new TreeSet<>();
        for (Finding f : findings) s.add(f.code());
        return s;
    }
}
