package dev.ckptkit.analyzer.validate;

import java.io.IOException;
import java.util.List;

/**
 * One check of validate. Each rule is its own class with its own tests, listed with its reason codes in
 * docs/validate.md. Host rules return nothing when there is no target.
 */
public sealed interface Rule permits
        ChecksumRule, ReferenceRule, AreaOverlapRule, ProcessTreeRule, ParentImageRule,
        PipePeerRule, SocketPeerRule, SharedMemoryRule, SessionRule, TtyRule, PtraceRule,
        ArchRule, CpuFeatureRule, KernelFeatureRule, NeededFilesRule, FileMtimeRule, PidRule, PortRule, MountRule, MemoryRule,
        UserRule, TcpRepairRule, VdsoRule, CgroupRule, LsmRule,
        GlueRule, UserspaceRule {

    /** integrity, leak, host or glue */
    String group();

    List<Finding> check(ValidationContext ctx) throws IOException;

    default String name() { return getClass().getSimpleName(); }

    default Finding finding(String code, Severity s, String object, String explanation, String remedy) {
        return new Finding(code, s, name(), object, explanation, remedy);
    }

    /** Every rule, in the order they run and are listed. */
    static List<Rule> all() {
        return List.of(new ChecksumRule(), new ReferenceRule(), new AreaOverlapRule(), new ProcessTreeRule(), new ParentImageRule(),
                new PipePeerRule(), new SocketPeerRule(), new SharedMemoryRule(), new SessionRule(), new TtyRule(),
                new PtraceRule(),
                new ArchRule(), new CpuFeatureRule(), new KernelFeatureRule(), new NeededFilesRule(), new FileMtimeRule(),
                new PidRule(), new PortRule(), new MountRule(), new MemoryRule(), new UserRule(), new TcpRepairRule(),
                new VdsoRule(), new CgroupRule(), new LsmRule(),
                new GlueRule(), new UserspaceRule());
    }
}
