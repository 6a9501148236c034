package dev.ckptkit.cli;

import dev.ckptkit.analyzer.index.ImageIndex;
import dev.ckptkit.analyzer.index.IndexOptions;
import dev.ckptkit.backend.ImageOpener;
import dev.ckptkit.io.CkptReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "index", description = {
        "Add images to a search index (Lucene): one document per image and per process, with processes, env, files,",
        "sockets, mounts, libraries, page hashes and memory strings (fields: see README, 'Search fields').",
        "An image already indexed with the same size, mtime and UUID is skipped; a changed one is re-indexed."})
final class IndexCommand extends CkptCommand {
    @Option(names = {"-i", "--index"}, required = true, paramLabel = "INDEXDIR", description = "Index directory (created if missing).")
    Path indexDir;

    @Parameters(paramLabel = "IMAGE", arity = "0..*", description = ".ckpt files, CRIU image dirs or container archives.")
    List<Path> images = new ArrayList<>();

    @Option(names = "--max-strings", defaultValue = "10000", paramLabel = "N", description = "Distinct memory strings indexed per image (default ${DEFAULT-VALUE}; 0: none).")
    int maxStrings;

    @Option(names = "--min-string-length", defaultValue = "5", paramLabel = "N", description = "Shortest memory string indexed (default ${DEFAULT-VALUE}).")
    int minStringLength;

    @Option(names = "--max-page-hashes", defaultValue = "1000000", paramLabel = "N", description = "Page hashes indexed per image (default ${DEFAULT-VALUE}; 0: none).")
    int maxPageHashes;

    @Option(names = "--prune", description = "Also drop images whose path no longer exists.")
    boolean prune;

    @Option(names = "--threads", paramLabel = "N", description = "Threads scanning memory for strings (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Mixin
    JsonOption json;

    record Row(String image, String outcome) {}

    record Report(String index, List<Row> images, int added, int updated, int unchanged, int failed, int pruned, double seconds) {}

    @Override
    protected int run() throws Exception {
        if (images.isEmpty() && !prune) throw new CkptException("no images given (and no --prune)");
        if (maxStrings < 0 || maxPageHashes < 0 || minStringLength < 1 || threads < 1) throw new CkptException("limits must be positive");
        for (Path p : images) if (!Files.exists(p)) throw new NoSuchFileException(p.toString());
        IndexOptions o = new IndexOptions(maxStrings, minStringLength, Math.max(minStringLength, 256), maxPageHashes, threads);
        List<Row> rows = new ArrayList<>();
        int[] n = new int[3];
        int pruned = 0;
        int failed = 0;
        long t0 = System.nanoTime();
        try (ImageIndex index = new ImageIndex(indexDir, o)) {
            for (Path p : new LinkedHashSet<>(images)) {
                ImageIndex.Outcome out;
                try {
                    out = index.add(p, x -> {
                        ImageOpener.Opened op = openImage(x);
                        return new ImageIndex.Opened(op.reader(), op::close);
                    }, IndexCommand::uuidIfCkpt);
                } catch (java.io.IOException | RuntimeException e) {
                    // one unreadable image must not stop a batch: report it, index the rest, exit 2 at the end
                    err().println("ckpt: " + Main.oneLine(e));
                    err().flush();
                    failed++;
                    rows.add(new Row(p.toString(), "failed"));
                    continue;
                }
                n[out.ordinal()]++;
                rows.add(new Row(p.toString(), out.name().toLowerCase()));
                if (!json.enabled()) {
                    out().printf("%-9s %s%n", out.name().toLowerCase(), p);
                    out().flush();
                }
            }
            if (prune) pruned = index.prune();
        }
        Report r = new Report(indexDir.toString(), rows, n[0], n[1], n[2], failed, pruned, (System.nanoTime() - t0) / 1e9);
        if (json.enabled()) {
            out().println(json.render(r));
        } else {
            out().printf("%s: %d added, %d updated, %d unchanged%s%s in %.2f s%n", indexDir, r.added(), r.updated(), r.unchanged(),
                    failed > 0 ? ", " + failed + " failed" : "", prune ? ", " + pruned + " pruned" : "", r.seconds());
        }
        return failed > 0 ? ExitCodes.TROUBLE : ExitCodes.OK;
    }

    /** A CKPT file's UUID from its header (cheap); null for inputs that would need a conversion. */
    private static String uuidIfCkpt(Path p) throws java.io.IOException {
        if (!ImageOpener.isCkpt(p)) return null;
        try (CkptReader r = CkptReader.open(p)) {
            return r.header().uuid().toString();
        }
    }
}
