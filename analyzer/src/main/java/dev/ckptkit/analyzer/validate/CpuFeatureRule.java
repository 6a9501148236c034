package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.ThreadRow;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * CPU state the image needs: every XSAVE component a thread had in use (XSTATE_BV of its saved FPU area) must be
 * enabled on the target, or the restored registers cannot be loaded (and code that used them would fault). CPU flags
 * of the checkpoint host (when the manifest has them) that the target lacks are warnings: libraries pick code paths
 * by CPU at load time and may execute instructions the target does not have.
 */
public final class CpuFeatureRule implements Rule {
    /** x87 and SSE: every x86-64 CPU with XSAVE has them. */
    private static final long ALWAYS = 0b11;

    @Override public String group() { return "host"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (!ctx.hasTarget()) return List.of();
        List<Finding> out = new ArrayList<>();
        long needed = 0;
        String firstUser = null;
        for (ThreadRow t : ctx.image().threads()) {
            if (t.xstateBv() == null || !"x86_64".equals(t.arch())) continue;
            long extra = t.xstateBv() & ~ALWAYS & ~needed;
            if (extra != 0 && firstUser == null) firstUser = "pid " + t.pid() + " tid " + t.tid();
            needed |= t.xstateBv();
        }
        HostProfile target = ctx.target();
        Long have = target.xsave() != null ? Long.valueOf(target.xsave().features())
                : target.cpu() != null && target.cpu().flags() != null ? XsaveFeatures.fromFlags(target.cpu().flags()) : null;
        if ((needed & ~ALWAYS) != 0) {
            if (have == null) {
                out.add(finding("HOST_CPU_UNKNOWN", Severity.UNDECIDED, "target",
                        "the threads use XSAVE components " + XsaveFeatures.names(needed & ~ALWAYS)
                                + " but the target profile has neither xsave features nor CPU flags",
                        "make the profile with ckpt host-profile on the target"));
            } else if ((needed & ~have & ~ALWAYS) != 0) {
                out.add(finding("HOST_XSAVE_MISSING", Severity.ERROR, firstUser,
                        "the threads had CPU state the target does not support: " + XsaveFeatures.names(needed & ~have & ~ALWAYS),
                        "restore on a CPU with these features (or a VM exposing them); checkpoint again with the feature masked"
                                + " (e.g. glibc.cpu.hwcaps tunables) if you must move to this CPU"));
            }
        }
        Manifest.Host h = ctx.image().manifest() == null ? null : ctx.image().manifest().host();
        if (h != null && h.xsaveSize() != null && target.xsave() != null && h.xsaveSize() > target.xsave().size()) {
            out.add(finding("HOST_XSAVE_SIZE", Severity.ERROR, "image", "the image's XSAVE area is " + h.xsaveSize()
                    + " bytes, the target's " + target.xsave().size(), "restore on a CPU with the same XSAVE features"));
        }
        if (h != null && h.cpuFlags() != null && target.cpu() != null && target.cpu().flags() != null) {
            Set<String> missing = new LinkedHashSet<>(h.cpuFlags());
            missing.removeAll(target.cpu().flags());
            missing.removeIf(f -> !userVisible(f));
            if (!missing.isEmpty()) {
                out.add(finding("HOST_CPU_FLAG_MISSING", Severity.WARNING, "image",
                        "CPU flags of the checkpoint host missing on the target: " + String.join(" ", missing),
                        "restore on the same CPU model, or make sure the program does not use these instructions"));
            }
        }
        return out;
    }

    /** Flags that describe instructions or state a program can use (not hypervisor or kernel bookkeeping). */
    private static boolean userVisible(String f) {
        return f.startsWith("avx") || f.startsWith("sse") || f.startsWith("amx") || f.startsWith("fma")
                || Set.of("aes", "sha_ni", "bmi1", "bmi2", "adx", "popcnt", "movbe", "pclmulqdq", "vaes", "vpclmulqdq",
                "gfni", "f16c", "rdrand", "rdseed", "abm", "lzcnt", "erms", "fsrm", "rtm", "hle", "pku", "ospke",
                "xsave", "xsavec", "xsaveopt", "xsaves", "clwb", "clflushopt", "movdiri", "movdir64b", "serialize",
                "ssse3", "cx16", "rdpid").contains(f);
    }
}
