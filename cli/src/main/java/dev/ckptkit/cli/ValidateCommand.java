package dev.ckptkit.cli;

import dev.ckptkit.backend.criu.Criu;
import dev.ckptkit.analyzer.validate.Finding;
import dev.ckptkit.analyzer.validate.HostProbe;
import dev.ckptkit.analyzer.validate.HostProfile;
import dev.ckptkit.analyzer.validate.HostProfiles;
import dev.ckptkit.analyzer.validate.ImageFacts;
import dev.ckptkit.analyzer.validate.NeededFiles;
import dev.ckptkit.analyzer.validate.Severity;
import dev.ckptkit.analyzer.validate.ValidationContext;
import dev.ckptkit.analyzer.validate.ValidationReport;
import dev.ckptkit.analyzer.validate.Validator;
import dev.ckptkit.backend.ImageOpener;
import dev.ckptkit.io.CorruptImageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "validate", description = {
        "Will this image restore there, and if not, why and what to do. Checks integrity, self-containment (leaks), "
                + "host compatibility and the glue the processes need; each finding has a reason code (docs/validate.md).",
        "Exit 0 = go, 1 = no-go, 2 = could not decide (or trouble).",
        "  ckpt validate x.ckpt --here                 against this host",
        "  ckpt validate x.ckpt --target host.json     against a profile made by 'ckpt host-profile --for x.ckpt'"})
final class ValidateCommand extends CkptCommand {
    @Parameters(paramLabel = "IMAGE", description = "A CKPT file, or any input a backend reads (CRIU dir, archive).")
    Path image;

    static final class Target {
        @Option(names = "--target", paramLabel = "HOST.json", description = "Host profile of the target.")
        Path profile;

        @Option(names = "--here", description = "Validate against this host (probed now, with the files the image needs).")
        boolean here;
    }

    @ArgGroup(exclusive = true)
    Target target;

    @Option(names = "--shell-job", description = "The restore will run as a shell job (criu restore --shell-job from a "
            + "terminal): terminals and sessions outside the image are replaced by the restorer's, so they are warnings, not errors.")
    boolean shellJob;

    @Mixin
    JsonOption json;

    @Override
    protected int run() throws Exception {
        ValidationReport report;
        try (ImageOpener.Opened o = openImage(image)) {
            ImageFacts facts;
            try {
                facts = ImageFacts.load(o.reader());
            } catch (CorruptImageException e) {
                return answer(Validator.unreadable(image.toString(), o.reader(), e, null));
            }
            HostProfile host = null;
            String targetName = null;
            if (target != null && target.here) {
                HostProbe probe = new HostProbe(Path.of("/"), Criu.find());
                host = probe.probe().withFiles(probe.files(NeededFiles.paths(facts)));
                targetName = "this host (" + host.hostname() + ")";
            } else if (target != null && target.profile != null) {
                try {
                    host = new HostProfiles().read(target.profile);
                } catch (IOException e) {
                    throw new CkptException(e.getMessage());
                }
                targetName = target.profile.toString();
            }
            report = new Validator().validate(image.toString(), new ValidationContext(facts, o.reader(), host, shellJob), targetName);
        }
        return answer(report);
    }

    private int answer(ValidationReport report) {
        if (json.enabled()) {
            out().println(json.render(report));
        } else {
            print(report);
        }
        return switch (report.verdict()) {
            case GO -> ExitCodes.OK;
            case NO_GO -> ExitCodes.NEGATIVE;
            case UNDECIDED -> ExitCodes.TROUBLE;
        };
    }

    private void print(ValidationReport r) {
        Map<Severity, Integer> n = new EnumMap<>(Severity.class);
        for (Finding f : r.findings()) n.merge(f.severity(), 1, Integer::sum);
        out().printf("%s: %s%s (%d errors, %d undecided, %d warnings, %d notes; %d rules)%n", r.image(),
                r.verdict().toString().replace('_', '-'), r.target() == null ? "" : " on " + r.target(),
                n.getOrDefault(Severity.ERROR, 0), n.getOrDefault(Severity.UNDECIDED, 0), n.getOrDefault(Severity.WARNING, 0),
                n.getOrDefault(Severity.INFO, 0), r.rules().size());
        for (Finding f : r.findings()) {
            out().printf("  %-9s %-24s %s: %s%n", f.severity(), f.code(), f.object(), f.explanation());
            out().printf("  %-9s %-24s -> %s%n", "", "", f.remedy());
        }
    }
}
