package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.ThreadRow;
import java.util.ArrayList;
import java.util.List;

/** Same architecture and page size: registers and page-granular memory are restored as they are. */
public final class ArchRule implements Rule {
    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.hasTarget()) return List.of();
        List<Finding> out = new ArrayList<>();
        Manifest.Host h = ctx.image().manifest() == null ? null : ctx.image().manifest().host();
        String arch = h != null && h.arch() != null ? h.arch() : null;
        for (ThreadRow t : ctx.image().threads()) if (arch == null && t.arch() != null) arch = t.arch();
        String targetArch = ctx.target().arch();
        if (arch != null && targetArch == null) {
            out.add(finding("HOST_ARCH_UNKNOWN", Severity.UNDECIDED, "target", "the target profile has no arch",
                    "make the profile with ckpt host-profile on the target"));
        } else if (arch != null && !arch.equals(targetArch)) {
            out.add(finding("HOST_ARCH", Severity.ERROR, "image", "the image is " + arch + ", the target is " + targetArch,
                    "restore on a " + arch + " host"));
        }
        Integer ps = h == null ? null : h.pageSize();
        if (ps != null && ctx.target().pageSize() != null && !ps.equals(ctx.target().pageSize())) {
            out.add(finding("HOST_PAGE_SIZE", Severity.ERROR, "image", "the image has " + ps + "-byte pages, the target "
                    + ctx.target().pageSize(), "restore on a host with " + ps + "-byte pages"));
        }
        return out;
    }
}
