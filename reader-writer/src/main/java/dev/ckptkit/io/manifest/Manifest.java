package dev.ckptkit.io.manifest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The JSON manifest (SPEC.md, "Manifest"): what produced the image, on which host, and a summary.
 * Readers ignore fields they do not know, so later minor versions may add fields.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
        int schema,
        Producer producer,
        /* "kernel" (CRIU, ptrace capture, core dumps) or "userspace" (in-process checkpointer, DMTCP) */
        String style,
        Host host,
        /* ISO-8601 instant of the capture; absent unless the caller gave one (deterministic output) */
        String capturedAt,
        ProcessTree processTree,
        Counts counts,
        Map<String, String> labels,
        /* the image this one was taken against (an incremental dump): its pages marked absent are there */
        Parent parent) {

    public static final int SCHEMA = 1;

    /** A manifest of an image that stands alone (no parent image). */
    public Manifest(int schema, Producer producer, String style, Host host, String capturedAt, ProcessTree processTree,
                    Counts counts, Map<String, String> labels) {
        this(schema, producer, style, host, capturedAt, processTree, counts, labels, null);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Producer(String backend, String backendVersion, String source, String tool, String toolVersion) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Host(String hostname, String kernelRelease, String arch, Integer pageSize, String cpuVendor,
                       String cpuModel, List<String> cpuFlags, Long xsaveFeatures, Integer xsaveSize,
                       /* since 1.2: LSM active at checkpoint (apparmor, selinux, none; CRIU inventory lsmtype) */
                       String lsm,
                       /* since 1.2: cgroup hierarchies the image's cgroup state was taken from and a restore
                          recreates: v1 controller names, "name=X" for named v1 hierarchies, "" for the v2 unified
                          hierarchy; absent when the image carries no cgroup state */
                       List<String> cgroupControllers) {

        /** A host with the members of CKPT 1.1. */
        public Host(String hostname, String kernelRelease, String arch, Integer pageSize, String cpuVendor,
                    String cpuModel, List<String> cpuFlags, Long xsaveFeatures, Integer xsaveSize) {
            this(hostname, kernelRelease, arch, pageSize, cpuVendor, cpuModel, cpuFlags, xsaveFeatures, xsaveSize, null, null);
        }

        public Host withLsm(String l) {
            return new Host(hostname, kernelRelease, arch, pageSize, cpuVendor, cpuModel, cpuFlags, xsaveFeatures, xsaveSize, l, cgroupControllers);
        }

        public Host withCgroupControllers(List<String> c) {
            return new Host(hostname, kernelRelease, arch, pageSize, cpuVendor, cpuModel, cpuFlags, xsaveFeatures, xsaveSize, lsm, c);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ProcessTree(Integer rootPid, int processes, int threads, List<Integer> pids) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Counts(long pages, long zeroPages, long absentPages, long uniquePages, long storedPageBytes,
                         Map<String, Long> tableRows, int nativeSections, int attachments) {}

    /**
     * The parent of an incremental image: its image UUID (what a reader checks before it takes pages from it) and
     * where it was when this image was written (a hint: relative to this image's directory when it could be made so).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Parent(String uuid, String path) {}

    public Manifest withCounts(Counts c) {
        return new Manifest(schema, producer, style, host, capturedAt, processTree, c, labels, parent);
    }

    public Manifest withParent(Parent p) {
        return new Manifest(schema, producer, style, host, capturedAt, processTree, counts, labels, p);
    }

    public static Manifest minimal(String backend, String style) {
        return new Manifest(SCHEMA, new Producer(backend, null, null, null, null), style, null, null, null, null, null);
    }
}
