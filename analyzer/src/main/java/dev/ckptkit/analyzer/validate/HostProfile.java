package dev.ckptkit.analyzer.validate;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What a restore depends on, recorded on a target host by {@code ckpt host-profile} (schema in docs/validate.md).
 * Fields are null when they could not be read; readers ignore fields they do not know, so schema 1.x may add fields.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record HostProfile(
        int schema,
        String hostname,
        Kernel kernel,
        String arch,
        Integer pageSize,
        Cpu cpu,
        Xsave xsave,
        Long vdsoSize,
        Integer pidMax,
        List<Integer> pidsInUse,
        Long memAvailable,
        List<Mount> mounts,
        String cgroupVersion,
        Long capEff,
        List<String> lsm,
        Map<String, Long> users,
        Map<String, Long> groups,
        List<ListeningPort> listeningPorts,
        List<NeededFile> files,
        /* schema 1, added with CKPT 1.2: the LSM CRIU sees on this host and the AppArmor profiles loaded */
        String lsmType,
        List<String> apparmorProfiles) {

    public static final int SCHEMA = 1;

    /** A profile with the fields of the first schema-1 release; the later ones are null. */
    public HostProfile(int schema, String hostname, Kernel kernel, String arch, Integer pageSize, Cpu cpu, Xsave xsave,
                       Long vdsoSize, Integer pidMax, List<Integer> pidsInUse, Long memAvailable, List<Mount> mounts,
                       String cgroupVersion, Long capEff, List<String> lsm, Map<String, Long> users,
                       Map<String, Long> groups, List<ListeningPort> listeningPorts, List<NeededFile> files) {
        this(schema, hostname, kernel, arch, pageSize, cpu, xsave, vdsoSize, pidMax, pidsInUse, memAvailable, mounts,
                cgroupVersion, capEff, lsm, users, groups, listeningPorts, files, null, null);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Kernel(String release, String version, CriuCheck criuCheck) {}

    /** Result of {@code criu check} (basic) and {@code criu check --all} on the host; null when CRIU is not there. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CriuCheck(String criu, String version, boolean basicOk, boolean allOk, List<String> messages) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Cpu(String vendor, String model, List<String> flags) {}

    /**
     * XSAVE state components the host supports (XCR0 bits) and the standard-format XSAVE area size. Java cannot run
     * cpuid/xgetbv, so {@code source} says where they come from: "cpuinfo-flags" (derived from /proc/cpuinfo flags with
     * the architectural component offsets) or "given" (copied from an image manifest or edited by hand).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Xsave(long features, int size, String source) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Mount(String mountpoint, String fstype, String source) {}

    /** A TCP/UDP socket in LISTEN state (or bound UDP) from /proc/net/{tcp,tcp6,udp,udp6}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ListeningPort(String proto, String address, int port) {}

    /** A file an image needs, as found on this host ({@code --for}); exists=false when absent. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record NeededFile(String path, boolean exists, String type, Long size, Long mtime, String buildId, Long mtimeNs) {
        /** mtime in milliseconds only (profiles made before mtimeNs was recorded). */
        public NeededFile(String path, boolean exists, String type, Long size, Long mtime, String buildId) {
            this(path, exists, type, size, mtime, buildId, null);
        }
    }

    public HostProfile withFiles(List<NeededFile> f) {
        return new HostProfile(schema, hostname, kernel, arch, pageSize, cpu, xsave, vdsoSize, pidMax, pidsInUse,
                memAvailable, mounts, cgroupVersion, capEff, lsm, users, groups, listeningPorts, f, lsmType, apparmorProfiles);
    }

    public HostProfile withXsave(Xsave x) {
        return new HostProfile(schema, hostname, kernel, arch, pageSize, cpu, x, vdsoSize, pidMax, pidsInUse,
                memAvailable, mounts, cgroupVersion, capEff, lsm, users, groups, listeningPorts, files, lsmType, apparmorProfiles);
    }

    public HostProfile withCgroupVersion(String v) {
        return new HostProfile(schema, hostname, kernel, arch, pageSize, cpu, xsave, vdsoSize, pidMax, pidsInUse,
                memAvailable, mounts, v, capEff, lsm, users, groups, listeningPorts, files, lsmType, apparmorProfiles);
    }

    public HostProfile withVdsoSize(Long v) {
        return new HostProfile(schema, hostname, kernel, arch, pageSize, cpu, xsave, v, pidMax, pidsInUse,
                memAvailable, mounts, cgroupVersion, capEff, lsm, users, groups, listeningPorts, files, lsmType, apparmorProfiles);
    }

    public HostProfile withLsm(String type, List<String> apparmor) {
        return new HostProfile(schema, hostname, kernel, arch, pageSize, cpu, xsave, vdsoSize, pidMax, pidsInUse,
                memAvailable, mounts, cgroupVersion, capEff, lsm, users, groups, listeningPorts, files, type, apparmor);
    }

    public HostProfile withMounts(List<Mount> m) {
        return new HostProfile(schema, hostname, kernel, arch, pageSize, cpu, xsave, vdsoSize, pidMax, pidsInUse,
                memAvailable, m, cgroupVersion, capEff, lsm, users, groups, listeningPorts, files, lsmType, apparmorProfiles);
    }
}
