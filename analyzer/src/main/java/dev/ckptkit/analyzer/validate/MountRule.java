package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.MountRow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Mounts the image expects the target to provide: external (bind) mounts of a container. When the image names a host
 * directory as the source, it must exist on the target; when it names only a device (CRIU records the bind's key,
 * not the host path), the restorer must be told where it is (container engines do; plain criu needs --external).
 * (For images without a mount namespace, a missing mount shows as missing files and directories: NeededFilesRule.)
 */
public final class MountRule implements Rule {
    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.hasTarget()) return List.of();
        List<Finding> out = new ArrayList<>();
        Set<String> targetMounts = new HashSet<>();
        if (ctx.target().mounts() != null) for (HostProfile.Mount m : ctx.target().mounts()) targetMounts.add(m.mountpoint());
        List<String> mapped = new ArrayList<>();
        for (MountRow m : ctx.image().mounts()) {
            if (!m.external()) continue;
            String src = m.source() == null ? m.root() : m.source();
            if (ctx.target().mounts() == null) {
                out.add(finding("HOST_MOUNTS_UNKNOWN", Severity.UNDECIDED, "mount " + m.mountpoint(),
                        "the target profile does not list mounts", "make the profile with ckpt host-profile on the target"));
            } else if (src == null || !src.startsWith("/") || src.startsWith("/dev/")) {
                mapped.add(m.mountpoint());
            } else if (!targetMounts.contains(src) && !fileExists(ctx, src)) {
                out.add(finding("HOST_MOUNT_MISSING", Severity.ERROR, "mount " + m.mountpoint(),
                        "external mount " + m.mountpoint() + " needs " + src + " on the target, which is not there",
                        "create or mount " + src + " on the target, or map it with criu restore --external mnt[" + m.mountpoint() + "]:PATH"));
            }
        }
        if (!mapped.isEmpty()) {
            out.add(finding("HOST_MOUNT_EXTERNAL", Severity.WARNING, mapped.size() + " mounts",
                    "external mounts known only by device or file system type, provided by whoever restores: " + String.join(" ", mapped),
                    "restore through the container engine, or map each with criu restore --external mnt[MOUNTPOINT]:PATH"));
        }
        return out;
    }

    private static boolean fileExists(ValidationContext ctx, String path) {
        if (ctx.target().files() == null) return false;
        for (HostProfile.NeededFile f : ctx.target().files()) if (f.path().equals(path)) return f.exists();
        return false;
    }
}
