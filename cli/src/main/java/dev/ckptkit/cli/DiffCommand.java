package dev.ckptkit.cli;

import dev.ckptkit.analyzer.diff.Change;
import dev.ckptkit.analyzer.diff.DiffOptions;
import dev.ckptkit.analyzer.diff.DiffReport;
import dev.ckptkit.analyzer.diff.ImageDiff;
import dev.ckptkit.backend.ImageOpener;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "diff", description = {
        "Compare two images of a workload: processes, threads (registers), memory areas, fds, sockets, mounts, and the",
        "changed pages of every memory area, found by comparing stored page hashes (no page data is read unless --bytes).",
        "Inputs: .ckpt files, CRIU image dirs or container archives. Exit 0 same, 1 different, 2 trouble."})
final class DiffCommand extends CkptCommand {
    @Parameters(index = "0", paramLabel = "A", description = "The image before.")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "The image after.")
    Path b;

    @Option(names = "--bytes", description = "Also show the changed byte ranges of changed pages, with hexdump context.")
    boolean bytes;

    @Option(names = {"-C", "--context"}, defaultValue = "1", paramLabel = "LINES", description = "Hexdump lines of context around changed bytes (default ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--max-ranges", defaultValue = "32", paramLabel = "N", description = "Changed page ranges listed per memory area (default ${DEFAULT-VALUE}; counts are always complete).")
    int maxRanges;

    @Option(names = "--max-byte-ranges", defaultValue = "64", paramLabel = "N", description = "Changed byte ranges shown with --bytes (default ${DEFAULT-VALUE}; the byte count is always complete).")
    int maxByteRanges;

    @Mixin
    JsonOption json;

    @Override
    protected int run() throws Exception {
        if (context < 0 || maxRanges < 0 || maxByteRanges < 0) throw new CkptException("--context and --max-* must be >= 0");
        DiffReport r;
        // B is opened (for a CRIU dir or archive: converted) on another thread while A is
        java.util.concurrent.CompletableFuture<ImageOpener.Opened> other = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return openImage(b);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ImageOpener.Opened x;
        try {
            x = openImage(a);
        } catch (java.io.IOException | RuntimeException e) {
            try {
                closeQuietly(join(other));  // wait, so a converted B's temporary file is not left behind
            } catch (java.io.IOException | RuntimeException ignored) {
                // A's error is the one to report
            }
            throw e;
        }
        try (x; ImageOpener.Opened y = join(other)) {
            r = ImageDiff.compare(a.toString(), x.reader(), b.toString(), y.reader(),
                    new DiffOptions(bytes, context, maxRanges, maxByteRanges));
        }
        if (json.enabled()) out().println(json.render(r));
        else print(r, out());
        return r.same() ? ExitCodes.OK : ExitCodes.NEGATIVE;
    }

    private static ImageOpener.Opened join(java.util.concurrent.CompletableFuture<ImageOpener.Opened> f) throws java.io.IOException {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.io.UncheckedIOException u) throw u.getCause();
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw e;
        }
    }

    private static void closeQuietly(ImageOpener.Opened o) {
        try {
            o.close();
        } catch (java.io.IOException ignored) {
            // only a temporary file is left behind
        }
    }

    static void print(DiffReport r, PrintWriter o) {
        o.println("--- " + r.a());
        o.println("+++ " + r.b());
        for (Change c : r.changes()) {
            o.printf("%s %s %s%n", sign(c.kind()), c.category().name().toLowerCase(), c.subject() + (c.kind() == Change.Kind.MOVED ? " (moved)" : ""));
            for (Change.FieldChange f : c.fields()) o.printf("    %-14s %s -> %s%n", f.field(), show(f.before()), show(f.after()));
        }
        for (DiffReport.AreaPages p : r.memory()) {
            String where = p.start() == null ? "pid " + p.pid() + " outside any area" : "pid " + p.pid() + " " + p.start() + "-" + p.end() + " " + p.area();
            StringBuilder what = new StringBuilder();
            part(what, p.changed(), "changed");
            part(what, p.added(), "added");
            part(what, p.removed(), "removed");
            part(what, p.unknown(), "not comparable (in a parent image)");
            o.printf("~ memory %s: %s%n", where, what);
            for (DiffReport.PageRange g : p.ranges()) {
                o.printf("    %s-%s %s (%d page%s)%n", g.start(), g.end(), g.kind(), g.pages(), g.pages() == 1 ? "" : "s");
            }
            if (p.rangesOmitted() > 0) o.printf("    ... %d more ranges (--max-ranges)%n", p.rangesOmitted());
        }
        for (DiffReport.ByteRange br : r.byteRanges()) {
            o.printf("@ pid %d %s %d byte%s %s%n", br.pid(), br.address(), br.length(), br.length() == 1 ? "" : "s", br.area());
            for (String l : br.before()) o.println("  - " + l);
            for (String l : br.after()) o.println("  + " + l);
        }
        if (r.summary().byteRangesOmitted() > 0) o.printf("@ ... %d more byte ranges (--max-byte-ranges)%n", r.summary().byteRangesOmitted());
        o.println(summary(r));
    }

    static String summary(DiffReport r) {
        DiffReport.Summary s = r.summary();
        StringBuilder b = new StringBuilder(r.same() ? "same: " : "different: ");
        b.append(String.format("processes +%d -%d ~%d, areas +%d -%d ~%d, threads %d, fds %d, sockets %d, mounts %d changed; ",
                s.processesAdded(), s.processesRemoved(), s.processesChanged(), s.areasAdded(), s.areasRemoved(),
                s.areasChanged(), s.threadsChanged(), s.fdsChanged(), s.socketsChanged(), s.mountsChanged()));
        b.append(String.format("pages: %d compared by %s, %d changed (%s), %d added, %d removed", s.pagesCompared(),
                r.pageComparison(), s.pagesChanged(), Sizes.human(s.changedPageBytes()), s.pagesAdded(), s.pagesRemoved()));
        if (s.pagesUnknown() > 0) b.append(", ").append(s.pagesUnknown()).append(" not comparable (in a parent image: diff flattened images, or an image with its parent)");
        if (s.bytesChanged() != null) b.append("; ").append(s.bytesChanged()).append(s.bytesChanged() == 1 ? " byte changed" : " bytes changed");
        return b.toString();
    }

    private static void part(StringBuilder b, long n, String what) {
        if (n == 0) return;
        if (!b.isEmpty()) b.append(", ");
        b.append(n).append(n == 1 ? " page " : " pages ").append(what);
    }

    private static String sign(Change.Kind k) {
        return switch (k) {
            case ADDED -> "+";
            case REMOVED -> "-";
            case CHANGED, MOVED -> "~";
        };
    }

    private static String show(String v) { return v == null ? "(none)" : v.isEmpty() ? "\"\"" : v; }
}
