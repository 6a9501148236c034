package dev.ckptkit.cli;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.Header;
import dev.ckptkit.io.Section;
import dev.ckptkit.io.SectionInfo;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.spec.Codec;
import dev.ckptkit.spec.Feature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "info", description = "Header, features, sections, sizes, compression ratio and checksums of a CKPT file.")
final class InfoCommand extends CkptCommand {
    @Parameters(paramLabel = "FILE", description = "A .ckpt file.")
    Path file;

    @Mixin
    JsonOption json;

    /** A group of sections of one kind, for the summary. */
    record Group(String kind, int count, long stored, long raw, int compressed) {}

    record Info(String file, long bytes, String format, String uuid, String writer, Map<String, String> features,
                boolean rewritable, List<Group> sections, long storedBytes, long rawBytes, double compressionRatio,
                Manifest manifest, CkptReader.VerifyReport checksums) {}

    @Override
    protected int run() throws Exception {
        try (CkptReader r = CkptReader.open(file)) {
            Header h = r.header();
            Map<String, Group> groups = new LinkedHashMap<>();
            long stored = 0, raw = 0;
            for (Section s : r.sections()) {
                SectionInfo i = s.info();
                String key = i.kindName();
                Group g = groups.getOrDefault(key, new Group(i.kindName(), 0, 0, 0, 0));
                groups.put(key, new Group(g.kind(), g.count() + 1, g.stored() + i.storedLength(), g.raw() + i.rawLength(),
                        g.compressed() + (i.codec() == Codec.NONE ? 0 : 1)));
                stored += i.storedLength();
                raw += i.rawLength();
            }
            Map<String, String> features = new LinkedHashMap<>();
            features.put("compat", Feature.describe(Feature.Set.COMPAT, h.compat()));
            features.put("ro_compat", Feature.describe(Feature.Set.RO_COMPAT, h.roCompat()));
            features.put("incompat", Feature.describe(Feature.Set.INCOMPAT, h.incompat()));
            CkptReader.VerifyReport v = r.verify();
            Manifest m = v.ok() ? r.manifest() : null;
            double ratio = stored == 0 ? 1.0 : (double) raw / stored;
            Info info = new Info(file.toString(), r.fileLength(), h.major() + "." + h.minor(), h.uuid().toString(),
                    h.writerName() + " " + h.writerVersion(), features, h.rewritable(), new ArrayList<>(groups.values()),
                    stored, raw, Math.round(ratio * 1000) / 1000.0, m, v);
            if (json.enabled()) {
                out().println(json.render(info));
            } else {
                printText(info);
            }
            return v.ok() ? ExitCodes.OK : ExitCodes.NEGATIVE;
        }
    }

    private void printText(Info i) {
        var o = out();
        o.printf("file:        %s (%s)%n", i.file(), Sizes.human(i.bytes()));
        o.printf("format:      CKPT %s%n", i.format());
        o.printf("uuid:        %s%n", i.uuid());
        o.printf("writer:      %s%n", i.writer());
        i.features().forEach((k, v) -> o.printf("%-12s %s%n", k + ":", v.isEmpty() ? "-" : v));
        if (i.manifest() != null) {
            Manifest m = i.manifest();
            if (m.producer() != null) o.printf("producer:    %s%s (%s-style)%n", m.producer().backend(),
                    m.producer().backendVersion() == null ? "" : " " + m.producer().backendVersion(), m.style());
            if (m.host() != null) o.printf("host:        %s %s %s%n", nz(m.host().hostname()), nz(m.host().kernelRelease()), nz(m.host().arch()));
            if (m.capturedAt() != null) o.printf("captured:    %s%n", m.capturedAt());
            if (m.processTree() != null) o.printf("processes:   %d (threads %d, root pid %s)%n", m.processTree().processes(),
                    m.processTree().threads(), m.processTree().rootPid());
            if (m.counts() != null) {
                var c = m.counts();
                o.printf("pages:       %d dumped (%s), %d zero, %d absent, %d unique stored (%s)%n", c.pages(),
                        Sizes.human(c.pages() * 4096), c.zeroPages(), c.absentPages(), c.uniquePages(), Sizes.human(c.storedPageBytes()));
            }
            if (m.labels() != null && !m.labels().isEmpty()) o.printf("labels:      %s%n", m.labels());
            if (m.parent() != null) {
                o.printf("parent:      %s%s (incremental: restore with it, or convert --flatten)%n", m.parent().uuid() == null ? "(UUID not recorded)" : m.parent().uuid(),
                        m.parent().path() == null ? "" : ", path hint " + m.parent().path());
            }
        }
        o.println("sections:");
        o.printf("  %-12s %7s %12s %12s %10s%n", "kind", "count", "stored", "raw", "zstd");
        for (Group g : i.sections()) {
            o.printf("  %-12s %7d %12s %12s %10d%n", g.kind(), g.count(), Sizes.human(g.stored()), Sizes.human(g.raw()), g.compressed());
        }
        o.printf("  %-12s %7s %12s %12s  ratio %.2fx%n", "total", "", Sizes.human(i.storedBytes()), Sizes.human(i.rawBytes()), i.compressionRatio());
        CkptReader.VerifyReport v = i.checksums();
        if (v.ok()) {
            o.printf("checksums:   OK (file CRC32C and %d/%d sections verified)%n", v.sectionsChecked(), v.sections());
        } else {
            o.printf("checksums:   FAILED (%d problems)%n", v.problems().size());
            for (String p : v.problems()) o.printf("  %s%n", p);
        }
    }

    private static String nz(String s) { return s == null ? "" : s; }
}
