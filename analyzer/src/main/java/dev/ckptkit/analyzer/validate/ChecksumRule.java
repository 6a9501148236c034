package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.CkptReader;
import java.util.ArrayList;
import java.util.List;

/** Every section checksum and the file checksum hold (the full pass of {@code ckpt verify}). */
public final class ChecksumRule implements Rule {
    @Override public String group() { return "integrity"; }

    @Override
    public List<Finding> check(ValidationContext ctx) {
        if (ctx.reader() == null) return List.of();
        CkptReader.VerifyReport v = ctx.reader().verify();
        List<Finding> out = new ArrayList<>();
        for (String p : v.problems()) {
            out.add(finding("INTEGRITY_CHECKSUM", Severity.ERROR, "file " + v.file(), p,
                    "the image is damaged: take the checkpoint again or copy it again from a good source"));
        }
        return out;
    }
}
