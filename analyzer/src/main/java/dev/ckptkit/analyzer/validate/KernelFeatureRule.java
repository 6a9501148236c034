package dev.ckptkit.analyzer.validate;

import java.util.ArrayList;
import java.util.List;

/**
 * Kernel features restore needs, as {@code criu check} on the target reported them, and the privileges of whoever
 * made the profile (a restore needs CAP_SYS_ADMIN, or CAP_CHECKPOINT_RESTORE on kernels that have it).
 */
public final class KernelFeatureRule implements Rule {
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_CHECKPOINT_RESTORE = 40;

    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.hasTarget()) return List.of();
        HostProfile.Kernel k = ctx.target().kernel();
        HostProfile.CriuCheck c = k == null ? null : k.criuCheck();
        List<Finding> out = new ArrayList<>();
        Long caps = ctx.target().capEff();
        if (caps != null && (caps & (1L << CAP_SYS_ADMIN)) == 0 && (caps & (1L << CAP_CHECKPOINT_RESTORE)) == 0) {
            out.add(finding("HOST_PRIVILEGES", Severity.WARNING, "target",
                    "the profile was made without CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE: restoring as that user fails",
                    "restore as root (or give criu CAP_CHECKPOINT_RESTORE and CAP_SYS_PTRACE)"));
        }
        if (c == null) {
            out.add(finding("HOST_KERNEL_UNCHECKED", Severity.INFO, "target",
                    "the profile has no 'criu check' result: kernel features were not checked",
                    "install CRIU on the target (or set CKPT_CRIU) and make the profile again"));
            return out;
        }
        if (!c.basicOk()) {
            out.add(finding("HOST_KERNEL_CRIU_CHECK", Severity.ERROR, "target kernel " + k.release(),
                    "'criu check' fails on the target: " + String.join("; ", c.messages()),
                    "use a kernel with the features CRIU needs (see criu check output), and run restore as root"));
        } else if (!c.allOk() && !c.messages().isEmpty()) {
            out.add(finding("HOST_KERNEL_OPTIONAL", Severity.INFO, "target kernel " + k.release(),
                    "optional kernel features missing ('criu check --all'): " + String.join("; ", c.messages()),
                    "only matters if the image uses them"));
        }
        return out;
    }
}
