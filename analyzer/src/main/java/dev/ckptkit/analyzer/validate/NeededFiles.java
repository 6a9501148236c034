package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host files an image needs at restore: regular files and directories open through fds, mapped files,
 * executables, cwd and root. Unlinked files (carried in the image as ghost files), pseudo files and devices are left
 * out: the restorer recreates those.
 */
public final class NeededFiles {
    private NeededFiles() {}

    /** A needed path; {@code size}, {@code buildId} and {@code mtime} (ns) as the image recorded them (null when unknown). */
    public record Need(String path, String type, Long size, String buildId, String usedBy, Long mtime) {
        public Need(String path, String type, Long size, String buildId, String usedBy) {
            this(path, type, size, buildId, usedBy, null);
        }
    }

    public static List<Need> of(ImageFacts img) {
        Map<String, Need> needs = new LinkedHashMap<>();
        for (FileRow f : img.files()) {
            if (f.deleted() || !hostPath(f.path())) continue;
            if (!f.type().equals("reg") && !f.type().equals("dir")) continue;
            merge(needs, new Need(f.path(), f.type(), f.type().equals("reg") ? f.size() : null, f.buildId(), img.holders(f.id()),
                    f.type().equals("reg") ? f.mtime() : null));
        }
        for (MemoryAreaRow a : img.areas()) {
            if (a.path() != null && hostPath(a.path()) && !a.path().endsWith(" (deleted)")) {
                merge(needs, new Need(a.path(), "reg", null, null, "mapped by pid " + a.pid(), a.mtime()));
            }
        }
        for (ProcessRow p : img.processes()) {
            if (hostPath(p.exe())) merge(needs, new Need(p.exe(), "reg", null, null, "executable of pid " + p.pid()));
            if (hostPath(p.cwd())) merge(needs, new Need(p.cwd(), "dir", null, null, "cwd of pid " + p.pid()));
        }
        return List.copyOf(needs.values());
    }

    /** Keeps the first size, build-id and mtime known, and the first user named by fd, mapping or role. */
    private static void merge(Map<String, Need> needs, Need n) {
        needs.merge(n.path(), n, (a, b) -> new Need(a.path(), a.type(), a.size() != null ? a.size() : b.size(),
                a.buildId() != null ? a.buildId() : b.buildId(), a.usedBy().startsWith("file id") ? b.usedBy() : a.usedBy(),
                a.mtime() != null ? a.mtime() : b.mtime()));
    }

    static boolean hostPath(String p) {
        return p != null && p.startsWith("/") && !p.startsWith("/dev/") && !p.startsWith("/proc/")
                && !p.startsWith("/sys/") && !p.startsWith("/memfd:") && !p.startsWith("/SYSV");
    }

    public static List<String> paths(ImageFacts img) {
        List<String> out = new ArrayList<>();
        for (Need n : of(img)) out.add(n.path());
        return out;
    }
}
