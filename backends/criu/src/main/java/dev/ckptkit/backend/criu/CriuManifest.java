package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.backend.criu.proto.CpuinfoEntry;
import dev.ckptkit.backend.criu.proto.CpuinfoX86Entry;
import dev.ckptkit.backend.criu.proto.UtsnsEntry;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.ProcessRow;
import java.util.List;
import java.util.Map;

/** The manifest of an image imported from CRIU: producer, host facts the images hold, process tree summary. */
final class CriuManifest {
    private CriuManifest() {}

    static Manifest of(CriuImageSet set, CriuModel model, List<ProcessRow> processes, String source, ImportContext ctx,
                       String criuVersion, Manifest.Parent parent) throws CorruptImageException {
        int version = set.inventory().getImgVersion();
        var producer = new Manifest.Producer("criu", "img_version " + version + (version == CriuImageSet.IMAGES_V1_1 ? " (v1.1)" : ""),
                source, "criu", criuVersion);
        List<Integer> pids = processes.stream().map(ProcessRow::pid).toList();
        int threads = processes.stream().mapToInt(ProcessRow::threads).sum();
        Integer root = processes.isEmpty() ? null : processes.getFirst().pid();
        Map<String, String> labels = ctx.labels().isEmpty() ? null : ctx.labels();
        return new Manifest(Manifest.SCHEMA, producer, "kernel", host(set, model), ctx.capturedAt(),
                new Manifest.ProcessTree(root, processes.size(), threads, pids), null, labels, parent);
    }

    /** cpuinfo.img's x86 entry: the dumping CPU (null if the image set has none). */
    private static CpuinfoX86Entry cpu(CriuImageSet set) throws CorruptImageException {
        CriuImage cpu = set.image("cpuinfo.img");
        if (cpu == null || cpu.kind() != ImageKind.CPUINFO || cpu.entries().isEmpty()) return null;
        CpuinfoEntry ce = cpu.decodeOne(CpuinfoEntry.parser());
        return ce.getX86EntryCount() > 0 ? ce.getX86Entry(0) : null;
    }

    /** The dumping CPU's XSAVE area size from cpuinfo.img, or null. */
    static Integer xsaveSize(CriuImageSet set) throws CorruptImageException {
        CpuinfoX86Entry x = cpu(set);
        return x != null && x.hasXsaveSize() ? x.getXsaveSize() : null;
    }

    private static Manifest.Host host(CriuImageSet set, CriuModel model) throws CorruptImageException {
        String arch = model.cores.values().stream().findFirst().map(c -> c.getMtype() == 1 ? "x86_64" : null).orElse(null);
        String hostname = null;
        for (Map.Entry<String, CriuImage> e : set.images().entrySet()) {
            if (e.getValue().kind() == ImageKind.UTSNS && !e.getValue().entries().isEmpty()) {
                hostname = e.getValue().decodeOne(UtsnsEntry.parser()).getNodename();
                break;
            }
        }
        String vendor = null, model0 = null;
        Long xfeatures = null;
        Integer xsaveSize = null;
        CpuinfoX86Entry x = cpu(set);
        if (x != null) {
            vendor = switch (x.getVendorId()) {
                case 1 -> "GenuineIntel";
                case 2 -> "AuthenticAMD";
                default -> null;
            };
            model0 = x.hasModelId() ? x.getModelId() : null;
            xfeatures = x.hasXfeaturesMask() ? x.getXfeaturesMask() : null;
            xsaveSize = x.hasXsaveSize() ? x.getXsaveSize() : null;
        }
        return new Manifest.Host(hostname, null, arch, Pagemap.PAGE, vendor, model0, null, xfeatures, xsaveSize,
                lsm(set), cgroupControllers(model));
    }

    /** inventory lsmtype (enum lsmtype: 0 NO_LSM, 1 SELINUX, 2 APPARMOR); absent in images of CRIU before 2.0. */
    static String lsm(CriuImageSet set) {
        if (!set.inventory().hasLsmtype()) return null;
        return switch (set.inventory().getLsmtype()) {
            case 0 -> "none";
            case 1 -> "selinux";
            case 2 -> "apparmor";
            default -> "lsmtype-" + set.inventory().getLsmtype();
        };
    }

    /** The hierarchies of cgroup.img that a restore mounts and recreates; null when the dump has no cgroup.img. */
    static List<String> cgroupControllers(CriuModel model) {
        if (model.cgroups == null) return null;
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (var c : model.cgroups.getControllersList()) names.addAll(c.getCnamesList());
        return List.copyOf(names);
    }
}
