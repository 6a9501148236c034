package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CorruptImageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Runs every rule on an image against a target and gives the verdict. */
public final class Validator {
    private final List<Rule> rules;

    public Validator() { this(Rule.all()); }

    public Validator(List<Rule> rules) { this.rules = List.copyOf(rules); }

    public ValidationReport validate(String imageName, CkptReader reader, HostProfile target, String targetName) throws IOException {
        return validate(imageName, new ValidationContext(ImageFacts.load(reader), reader, target), targetName);
    }

    /**
     * The report for an image whose tables cannot even be read (a damaged section): no-go, with what the full
     * checksum pass finds, since no other rule can run on it.
     */
    public static ValidationReport unreadable(String imageName, CkptReader reader, CorruptImageException why, String targetName) {
        List<Finding> all = new ArrayList<>();
        all.add(new Finding("INTEGRITY_UNREADABLE", Severity.ERROR, "Validator", "file " + imageName, why.getMessage(),
                "the image is damaged: take the checkpoint again or copy it again from a good source"));
        all.addAll(new ChecksumRule().check(new ValidationContext(null, reader, null)));
        return new ValidationReport(imageName, targetName, Verdict.NO_GO, List.of("ChecksumRule"), List.copyOf(all));
    }

    public ValidationReport validate(String imageName, ValidationContext ctx, String targetName) throws IOException {
        List<Finding> all = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Rule r : rules) {
            names.add(r.name());
            all.addAll(r.check(ctx));
        }
        if (!ctx.hasTarget()) {
            all.add(new Finding("TARGET_NONE", Severity.UNDECIDED, "Validator", "target",
                    "no target host given: only the image itself was checked (integrity, leaks, glue)",
                    "run 'ckpt host-profile --for IMAGE -o host.json' on the target and pass --target host.json, or use --here"));
        }
        all.sort(Comparator.comparing(Finding::severity));
        return new ValidationReport(imageName, targetName, Verdict.of(all), names, List.copyOf(all));
    }
}
