package dev.ckptkit.cli;

import dev.ckptkit.analyzer.ParentChain;
import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.backend.ImageOpener;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.backend.criu.CriuChain;
import dev.ckptkit.backend.criu.CriuFlattener;
import dev.ckptkit.io.AtomicFiles;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.WriterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "convert", description = {
        "Convert between CKPT and other formats.",
        "  ckpt convert DIR|ARCHIVE|CORE -o x.ckpt        import (the backend is recognised from the input)",
        "  ckpt convert x.ckpt --to criu -o DIR           export through a backend",
        "  ckpt convert DIR --flatten -o full.ckpt        an incremental CRIU dir with its parent chain (parent links) merged in",
        "  ckpt convert next.ckpt --parent base.ckpt --flatten -o full.ckpt   the same for CKPT images (--to criu: a CRIU dir)",
        "  ckpt convert DIR --parent base.ckpt -o next.ckpt   a full CRIU dump stored incrementally: pages equal to base.ckpt's stay there"})
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

    @Option(names = "--flatten", description = "Write a self-contained image of an incremental one: every page it has in its parent "
            + "chain is filled in, so it restores and inspects alone (CRIU images).")
    boolean flatten;

    @Option(names = "--parent", paramLabel = "IMAGE", description = "With --flatten: a parent image of a .ckpt input (repeatable, any order; "
            + "matched by UUID; default: the path hints in the manifests; a CRIU dir's chain is its parent links). Without --flatten, "
            + "for a full CRIU dump dir: the .ckpt to store it incrementally against.")
    List<Path> parents = new ArrayList<>();

    @Override
    protected int run() throws Exception {
        if (!Files.exists(input)) throw new java.nio.file.NoSuchFileException(input.toString());
        if (flatten) return flatten();
        if (!parents.isEmpty()) return incremental();
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
            long absent = ParentChain.absentPages(r);
            if (absent > 0) {
                err().println("ckpt: note: " + absent + " pages are in the parent image (an incremental dump); restore and inspect it with "
                        + "its parent, or convert with --flatten for an image that stands alone");
            }
        }
        return ExitCodes.OK;
    }

    /** Imports a full CRIU dump directory as an incremental image against one parent. */
    private int incremental() throws Exception {
        if (to != null || parents.size() != 1 || !Files.isDirectory(input)) {
            throw new CkptException("--parent without --flatten takes a CRIU image dir and one parent .ckpt: ckpt convert DIR --parent base.ckpt -o next.ckpt");
        }
        WriterOptions opts = writer.apply(WriterOptions.defaults(WriterOptions.uuidFrom(input.toString())), true);
        long t0 = System.nanoTime();
        long inParent;
        try (ProgressBar bar = new ProgressBar(err())) {
            inParent = CriuChain.importIncremental(input, parents.getFirst(), new ImportContext(output, opts, capturedAt, labels, bar));
        }
        try (CkptReader r = CkptReader.open(output)) {
            out().printf("%s: %s, %d sections, from %s, %d of %d pages in parent %s, by criu in %.2f s%n", output, Sizes.human(r.fileLength()),
                    r.sections().size(), input, inParent, r.pages().size(), parents.getFirst(), (System.nanoTime() - t0) / 1e9);
        }
        return ExitCodes.OK;
    }

    /** Merges an incremental image with its parent chain (as CRIU image dirs) and imports or writes the result. */
    private int flatten() throws Exception {
        if (to != null && !to.equals("criu")) throw new CkptException("--flatten writes CKPT, or a CRIU image dir with --to criu");
        long t0 = System.nanoTime();
        Path work = Files.createTempDirectory("ckpt-flatten-");
        try {
            String name = input.toAbsolutePath().normalize().getFileName().toString().replaceFirst("\\.ckpt$", "");
            Path flat = to != null ? output : work.resolve(name.isEmpty() ? "images" : name);
            CriuFlattener.Result res;
            int levels;
            if (Files.isDirectory(input)) {
                if (!parents.isEmpty()) throw new CkptException("the parent chain of a CRIU image dir is its 'parent' link; --parent is for .ckpt inputs");
                if (!CriuFlattener.isIncremental(input)) throw new CkptException(input + " has no pages in a parent image: nothing to flatten");
                res = CriuFlattener.flatten(input, flat);
                levels = res.depth();
            } else {
                try (ImageOpener.Opened o = openImage(input); ParentImages p = new ParentImages(this)) {
                    ParentChain chain = p.resolve(o.reader(), input, parents);
                    if (chain.links().isEmpty()) throw new CkptException(input + " does not need a parent image: nothing to flatten");
                    if (!chain.complete()) throw new CkptException(chain.problem());
                    res = CriuChain.flatten(o.reader(), chain.readers(), flat);
                    levels = chain.readers().size();
                }
            }
            String what = String.format("%d pages filled in from %d parent image%s", res.pagesFilled(), levels, levels == 1 ? "" : "s");
            if (to != null) {
                out().printf("%s: CRIU image dir, from %s, %s in %.2f s%n", output, input, what, (System.nanoTime() - t0) / 1e9);
                return ExitCodes.OK;
            }
            WriterOptions opts = writer.apply(WriterOptions.defaults(WriterOptions.uuidFrom(input.toString())), true);
            try (ProgressBar bar = new ProgressBar(err())) {
                backends().named("criu").importImage(flat, new ImportContext(output, opts, capturedAt, labels, bar));
            }
            try (CkptReader r = CkptReader.open(output)) {
                out().printf("%s: %s, %d sections, from %s, %s, by criu in %.2f s%n", output, Sizes.human(r.fileLength()),
                        r.sections().size(), input, what, (System.nanoTime() - t0) / 1e9);
            }
            return ExitCodes.OK;
        } finally {
            AtomicFiles.deleteTree(work);
        }
    }
}
