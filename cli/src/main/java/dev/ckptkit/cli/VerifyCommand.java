package dev.ckptkit.cli;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.UnsupportedImageException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "verify", description = "Check every byte of CKPT files: file and section checksums, structure, "
        + "tables and page index. Exit 0 if all are sound, 1 if any is corrupt, 2 if one cannot be read at all.")
final class VerifyCommand extends CkptCommand {
    @Parameters(paramLabel = "FILE", arity = "1..*", description = "CKPT files.")
    List<Path> files;

    @Mixin
    JsonOption json;

    record Result(String file, boolean ok, long bytes, int sections, List<String> problems, double seconds) {}

    @Override
    protected int run() throws Exception {
        int rc = ExitCodes.OK;
        List<Result> results = new java.util.ArrayList<>();
        for (Path f : files) {
            Result res;
            try (CkptReader r = CkptReader.open(f)) {
                CkptReader.VerifyReport v = r.verify();
                res = new Result(f.toString(), v.ok(), v.bytes(), v.sections(), v.problems(), v.nanos() / 1e9);
            } catch (CorruptImageException | UnsupportedImageException e) {
                res = new Result(f.toString(), false, 0, 0, List.of(e.getMessage()), 0);
            }
            if (!res.ok()) rc = Math.max(rc, ExitCodes.NEGATIVE);
            results.add(res);
            if (!json.enabled()) {
                if (res.ok()) {
                    out().printf("%s: OK (%s, %d sections, %.2f s)%n", res.file(), Sizes.human(res.bytes()), res.sections(), res.seconds());
                } else {
                    for (String p : res.problems()) out().println(p.startsWith(res.file()) ? p : res.file() + ": " + p);
                }
            }
        }
        if (json.enabled()) out().println(json.render(results.size() == 1 ? results.get(0) : results));
        return rc;
    }
}
