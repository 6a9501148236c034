package dev.ckptkit.cli;

import dev.ckptkit.backend.criu.Criu;
import dev.ckptkit.analyzer.validate.HostProbe;
import dev.ckptkit.analyzer.validate.HostProfile;
import dev.ckptkit.analyzer.validate.HostProfiles;
import dev.ckptkit.analyzer.validate.ImageFacts;
import dev.ckptkit.analyzer.validate.NeededFiles;
import dev.ckptkit.backend.ImageOpener;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "host-profile", description = {
        "Record what a restore on this host depends on (kernel, criu check, CPU and xsave, pids, ports, memory, mounts, "
                + "users, ...) as JSON (schema: docs/validate.md). Pass it to 'ckpt validate --target' elsewhere.",
        "  ckpt host-profile -o host.json --for x.ckpt     also record the files the image needs (size, mtime, build-id)"})
final class HostProfileCommand extends CkptCommand {
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the profile here (default: standard output).")
    Path output;

    @Option(names = "--for", paramLabel = "IMAGE", description = "Also record the host files this image needs.")
    Path forImage;

    @Option(names = "--criu", paramLabel = "PATH", description = "criu binary for 'criu check' (default: $CKPT_CRIU or .tools/criu/bin/criu).")
    Path criu;

    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/", description = "Read /proc, /sys, /etc under DIR (default /).")
    Path root;

    @Override
    protected int run() throws Exception {
        HostProfile p = probe(root, criu != null ? criu : Criu.find(), forImage);
        HostProfiles io = new HostProfiles();
        if (output == null) {
            out().println(io.toJson(p));
        } else {
            io.write(p, output);
            out().println(output);
        }
        return ExitCodes.OK;
    }

    /** The profile of this host, with the files {@code image} needs when given. */
    HostProfile probe(Path root, Path criu, Path image) throws Exception {
        HostProbe probe = new HostProbe(root, criu);
        HostProfile p = probe.probe();
        if (image != null) {
            try (ImageOpener.Opened o = openImage(image)) {
                p = p.withFiles(probe.files(NeededFiles.paths(ImageFacts.load(o.reader()))));
            }
        }
        return p;
    }
}
