package dev.ckptkit.analyzer.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Files the image needs must be on the target as they were: present, same type, same size and, for ELF files whose
 * build-id the image recorded, the same build-id (what CRIU checks on restore: "File ... has bad size", "has bad
 * build-ID"). A directory that is gone usually means a missing mount.
 */
public final class NeededFilesRule implements Rule {
    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.hasTarget()) return List.of();
        List<NeededFiles.Need> needs = NeededFiles.of(ctx.image());
        List<Finding> out = new ArrayList<>();
        if (needs.isEmpty()) return out;
        if (!ctx.image().mounts().isEmpty()) {
            // own mount namespace (a container): the paths are inside its root file system, which the container
            // engine provides at restore, not the host's; whether it will is beyond what a host profile shows
            out.add(finding("HOST_FILES_IN_CONTAINER", Severity.UNDECIDED, needs.size() + " files",
                    "the image has its own mount table: the files it needs are in the container's root file system, which a host profile does not show",
                    "restore through the container engine, with the same container image (e.g. podman container restore --import)"));
            return out;
        }
        if (ctx.target().files() == null) {
            out.add(finding("HOST_FILES_UNKNOWN", Severity.UNDECIDED, needs.size() + " files",
                    "the target profile does not list the files this image needs",
                    "make the profile with 'ckpt host-profile --for IMAGE' on the target, or validate with --here"));
            return out;
        }
        Map<String, HostProfile.NeededFile> have = new HashMap<>();
        for (HostProfile.NeededFile f : ctx.target().files()) have.put(f.path(), f);
        for (NeededFiles.Need n : needs) {
            HostProfile.NeededFile h = have.get(n.path());
            String obj = "file " + n.path();
            if (h == null) {
                out.add(finding("HOST_FILE_UNKNOWN", Severity.UNDECIDED, obj, "the target profile does not say whether "
                        + n.path() + " (" + n.usedBy() + ") exists", "make the profile with 'ckpt host-profile --for IMAGE'"));
            } else if (!h.exists()) {
                boolean dir = n.type().equals("dir");
                out.add(finding(dir ? "HOST_DIR_MISSING" : "HOST_FILE_MISSING", Severity.ERROR, obj,
                        (dir ? "directory " : "file ") + n.path() + " (" + n.usedBy() + ") does not exist on the target",
                        dir ? "create or mount " + n.path() + " (a missing mount point?) before restoring"
                                : "copy " + n.path() + " to the target exactly as it was (same size and build), or mount the file system holding it"));
            } else if (!n.type().equals(h.type())) {
                out.add(finding("HOST_FILE_TYPE", Severity.ERROR, obj, n.path() + " is a " + h.type() + " on the target, the image needs a " + n.type(),
                        "put the right " + n.type() + " at " + n.path()));
            } else if (n.size() != null && h.size() != null && !n.size().equals(h.size())) {
                out.add(finding("HOST_FILE_SIZE", Severity.ERROR, obj, n.path() + " (" + n.usedBy() + ") is " + h.size()
                        + " bytes on the target, " + n.size() + " in the image: it was changed or replaced",
                        "restore the version of " + n.path() + " the image was taken with (package version, build)"));
            } else if (n.buildId() != null && h.buildId() != null && !h.buildId().startsWith(n.buildId())) {
                out.add(finding("HOST_FILE_BUILD_ID", Severity.ERROR, obj, n.path() + " (" + n.usedBy() + ") has build-id "
                        + h.buildId() + " on the target, " + n.buildId() + " in the image: another build of the same size",
                        "install the exact build of " + n.path() + " the image was taken with"));
            } else if (n.buildId() != null && h.buildId() == null) {
                out.add(finding("HOST_FILE_BUILD_ID_UNKNOWN", Severity.WARNING, obj, "the image recorded build-id " + n.buildId()
                        + " for " + n.path() + " but the target's copy has none (or the profile did not read it)",
                        "check that " + n.path() + " is the same build; restore may refuse it"));
            }
        }
        return out;
    }
}
