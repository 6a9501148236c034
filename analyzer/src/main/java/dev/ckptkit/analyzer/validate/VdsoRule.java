package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.table.MemoryAreaRow;
import java.util.List;

/**
 * The vDSO is kernel code mapped into every process; its layout changes between kernel builds. The image's vDSO
 * size (its "vdso" memory area) against the target's ({@code vdsoSize} of the host profile): a different size proves
 * a different vDSO. CRIU restores that routinely: it "proxifies" the image's vDSO, patching each of its entry points
 * with a jump to the target's (criu.org/Vdso; the one unsolved case is a thread stopped inside the first bytes of a
 * vDSO function), so for kernel-style images it is a note. A userspace restarter (ckpt restart, DMTCP) instead moves
 * the target kernel's vDSO to the old address, while the program still calls it through the function addresses
 * libc resolved at startup from the old vDSO's symbols: with another vDSO those land inside other code, so for
 * userspace-style images it is a no-go. Equal sizes are not proof of an equal vDSO, so no finding says "same".
 */
public final class VdsoRule implements Rule {
    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.hasTarget() || ctx.target().vdsoSize() == null) return List.of();
        Long image = null;
        for (MemoryAreaRow a : ctx.image().areas()) {
            if ("vdso".equals(a.kind())) {
                image = a.end() - a.start();
                break;
            }
        }
        if (image == null || image.equals(ctx.target().vdsoSize())) return List.of();
        String why = "the image's vDSO is " + image + " bytes, the target's " + ctx.target().vdsoSize() + ": another kernel build's vDSO";
        if (ctx.image().userspace()) {
            return List.of(finding("HOST_VDSO_DIFFERENT", Severity.ERROR, "target", why + "; a userspace restart moves the "
                            + "target's vDSO to the old address, but the program calls it at the old symbol offsets libc resolved at startup",
                    "restart on a host running the same kernel build as the checkpoint host, or restore a kernel-style (CRIU) image instead"));
        }
        return List.of(finding("HOST_VDSO_PROXY", Severity.INFO, "target", why + "; CRIU redirects the old vDSO's entry points to the target's (call proxification)",
                "nothing to do; only a thread stopped inside the first bytes of a vDSO function can misbehave"));
    }
}
