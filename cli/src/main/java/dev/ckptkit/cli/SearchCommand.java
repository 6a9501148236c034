package dev.ckptkit.cli;

import dev.ckptkit.analyzer.index.IndexSearch;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "search", description = {
        "Search an index made by 'ckpt index' with Lucene query syntax over named fields, e.g.",
        "  comm:nginx AND env:PATH*      string:\"BEGIN RSA\"      file:/etc/shadow      pid:[1 TO 100]",
        "Results are ranked; each shows the image, the pid and the fields and values that matched.",
        "Exit 0 when something matched, 1 when nothing did."})
final class SearchCommand extends CkptCommand {
    @Option(names = {"-i", "--index"}, required = true, paramLabel = "INDEXDIR", description = "Index directory.")
    Path indexDir;

    @Parameters(paramLabel = "QUERY", arity = "0..*", description = "Lucene query (several arguments are joined by spaces).")
    java.util.List<String> query = new java.util.ArrayList<>();

    @Option(names = "--same-page", arity = "3", paramLabel = "IMAGE PID ADDR", description = {
            "Find the images and processes holding the same page content as ADDR of PID in IMAGE (a page: query,",
            "ANDed with QUERY if one is given)."})
    java.util.List<String> samePage;

    @Option(names = {"-n", "--limit"}, defaultValue = "20", paramLabel = "N", description = "Results to show (default ${DEFAULT-VALUE}).")
    int limit;

    @Mixin
    JsonOption json;

    @Override
    protected int run() throws Exception {
        if (limit < 1) throw new CkptException("--limit must be at least 1");
        String q = String.join(" ", query);
        if (samePage != null) {
            String page;
            try (var opened = openImage(Path.of(samePage.get(0)))) {
                page = IndexSearch.pageQuery(opened.reader(), Integer.parseInt(samePage.get(1)), Long.decode(samePage.get(2)));
            } catch (NumberFormatException e) {
                throw new CkptException("--same-page: PID and ADDR must be numbers (ADDR may be 0x...)");
            } catch (IllegalArgumentException e) {
                throw new CkptException("--same-page: " + e.getMessage());
            }
            q = q.isBlank() ? page : page + " AND (" + q + ")";
        }
        if (q.isBlank()) throw new CkptException("no query (give QUERY or --same-page)");
        IndexSearch.Result r;
        try (IndexSearch s = new IndexSearch(indexDir)) {
            r = s.search(q, limit);
        } catch (IllegalArgumentException e) {
            throw new CkptException(e.getMessage());
        }
        if (json.enabled()) {
            out().println(json.render(r));
        } else {
            for (IndexSearch.Hit h : r.hits()) {
                out().printf("%.3f  %s  %s%n", h.score(), h.image(),
                        h.pid() == null ? "(image" + (h.host() == null ? "" : ", host " + h.host()) + ")" : "pid " + h.pid() + " (" + h.comm() + ")");
                for (IndexSearch.Match m : h.matches()) out().printf("         %s: %s%n", m.field(), String.join(" | ", m.values().stream().map(SearchCommand::shorten).toList()));
            }
            out().printf("%d hit%s%s (showing %d) in %.1f ms%n", r.totalHits(), r.totalHits() == 1 ? "" : "s",
                    r.totalIsExact() ? "" : "+", r.hits().size(), r.millis());
        }
        return r.hits().isEmpty() ? ExitCodes.NEGATIVE : ExitCodes.OK;
    }

    private static String shorten(String v) {
        return v.length() <= 120 ? v : v.substring(0, 117) + "...";
    }
}
