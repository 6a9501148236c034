package dev.ckptkit.cli;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.backend.ImageOpener;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.WriterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "convert", description = {
        "Convert between CKPT and other formats.",
        "  ckpt convert DIR|ARCHIVE|CORE -o x.ckpt        import (the backend is recognised from the input)",
        "  ckpt convert x.ckpt --to criu -o DIR           export through a backend"})
final class ConvertCommand extends CkptCommand {
    @Parameters(paramLabel = "INPUT", description = "A CKPT file, or an input of any backend (see 'ckpt backends').")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Output file or directory.")
    Path output;

    @Option(names = "--from", paramLabel = "BACKEND", description = "Backend to import with (default: recognised from the input).")
    String from;

    @Option(names = "--to", paramLabel = "BACKEND", description = "Export with this backend instead of writing CKPT.")
    String to;

    @Option(names = "--pid", description = "Process to export, for formats that hold one process (elf-core).")
    Integer pid;

    @Mixin
    WriterMixin writer;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "User label for the manifest (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--captured-at", paramLabel = "ISO-8601", description = "Capture time for the manifest (default: none, so output is deterministic).")
    String capturedAt;

    @Override
    protected int run() throws Exception {
        if (!Files.exists(input)) throw new java.nio.file.NoSuchFileException(input.toString());
        if (to != null) {
            Backend b = backends().named(to);
            if (!b.canExport()) throw new CkptException("backend '" + to + "' cannot export");
            try (ImageOpener.Opened o = openImage(input)) {
                b.exportImage(o.reader(), output, new ExportOptions(pid, Map.of()));
            }
            out().println(output);
            return ExitCodes.OK;
        }
        Backend b = from != null ? backends().named(from) : backends().forInput(input);
        if (b == null) {
            if (ImageOpener.isCkpt(input)) throw new CkptException(input + " is already a CKPT file; use --to BACKEND to export it");
            throw new CkptException(input + ": no backend recognises this input (see 'ckpt backends')");
        }
        WriterOptions opts = writer.apply(WriterOptions.defaults(WriterOptions.uuidFrom(input.toString())), true);
        long t0 = System.nanoTime();
        try (ProgressBar bar = new ProgressBar(err())) {
            b.importImage(input, new ImportContext(output, opts, capturedAt, labels, bar));
        }
        double s = (System.nanoTime() - t0) / 1e9;
        try (CkptReader r = CkptReader.open(output)) {
            out().printf("%s: %s, %d sections, from %s by %s in %.2f s%n", output, Sizes.human(r.fileLength()),
                    r.sections().size(), input, b.name(), s);
        }
        return ExitCodes.OK;
    }
}
