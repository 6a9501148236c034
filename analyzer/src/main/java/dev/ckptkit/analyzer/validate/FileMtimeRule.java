package dev.ckptkit.analyzer.validate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A file the image needs whose modification time changed since the checkpoint, while its size and build-id (what
 * CRIU compares on restore; CRIU's reg-files carry no mtime) still match. A warning, not a no-go: the restore
 * succeeds, and for an ELF file with the same build-id the code is the same build; but the file was rewritten
 * (a touch, a copy without -p, a reinstall of the same package, or a same-size edit of a data file or script
 * whose open position or mapped pages then point into other content). Runs only for files NeededFilesRule found
 * present with the same type, size and build-id, and only where the image recorded mtime (CKPT 1.2
 * files.mtime / memory_areas.mtime; the userspace backend does, CRIU does not).
 */
public final class FileMtimeRule implements Rule {
    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.hasTarget() || ctx.target().files() == null || !ctx.image().mounts().isEmpty()) return List.of();
        Map<String, HostProfile.NeededFile> have = new HashMap<>();
        for (HostProfile.NeededFile f : ctx.target().files()) have.put(f.path(), f);
        List<Finding> out = new ArrayList<>();
        for (NeededFiles.Need n : NeededFiles.of(ctx.image())) {
            HostProfile.NeededFile h = have.get(n.path());
            if (n.mtime() == null || h == null || !h.exists() || !n.type().equals(h.type())) continue;
            if (n.size() != null && h.size() != null && !n.size().equals(h.size())) continue;      // HOST_FILE_SIZE
            if (n.buildId() != null && h.buildId() != null && !h.buildId().startsWith(n.buildId())) continue;  // HOST_FILE_BUILD_ID
            if (sameTime(n.mtime(), h)) continue;
            Long target = h.mtimeNs() != null ? h.mtimeNs() : h.mtime() == null ? null : h.mtime() * 1_000_000L;
            if (target == null) continue;
            boolean sameBuild = n.buildId() != null && h.buildId() != null;
            out.add(finding("HOST_FILE_MTIME", Severity.WARNING, "file " + n.path(), n.path() + " (" + n.usedBy()
                    + ") was modified " + time(target) + " on the target, " + time(n.mtime()) + " at checkpoint time; "
                    + (sameBuild ? "same size and build-id, so most likely the same build copied or reinstalled"
                    : "same size, but its content may differ"),
                    "check that " + n.path() + " is the version the image was taken with (cmp or a checksum), or copy it with its times (cp -p, rsync -t)"));
        }
        return out;
    }

    /** Equal at the precision the profile has (ns, or ms for profiles without mtimeNs). */
    static boolean sameTime(long imageNs, HostProfile.NeededFile h) {
        if (h.mtimeNs() != null) return h.mtimeNs() == imageNs;
        return h.mtime() == null || h.mtime() == Math.floorDiv(imageNs, 1_000_000L);
    }

    private static String time(long ns) {
        return Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L)).toString();
    }
}
