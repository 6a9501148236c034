package dev.ckptkit.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ckptkit.analyzer.inspect.Areas;
import dev.ckptkit.analyzer.inspect.BytePattern;
import dev.ckptkit.analyzer.inspect.Grep;
import dev.ckptkit.analyzer.inspect.Hexdump;
import dev.ckptkit.analyzer.inspect.Inspector;
import java.io.PrintWriter;
import java.util.SortedSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "grep", description = "Search the dumped memory for a regular expression (bytes read as ISO-8859-1) or, "
        + "with --hex, for bytes. Matches may span pages that are contiguous in the image. Text output: "
        + "PID<TAB>ADDRESS<TAB>AREA<TAB>MATCH (escaped), then a hexdump of the context with -C. Exit 1 if nothing matched.")
final class GrepCommand extends CkptCommand {
    @Parameters(index = "0", paramLabel = "PATTERN", description = "Regular expression (java.util.regex), or hex bytes with --hex.")
    String pattern;

    @Parameters(index = "1", paramLabel = "IMAGE", description = "A .ckpt file, or anything a backend converts (CRIU dir, container archive, ...).")
    java.nio.file.Path image;

    @Mixin
    JsonOption json;

    @Mixin
    PidOption pidOption;

    @Option(names = "--hex", description = "PATTERN is bytes in hex, e.g. '43 4b 50 54' or 434b5054.")
    boolean hex;

    @Option(names = {"-i", "--ignore-case"}, description = "Match letters case-insensitively.")
    boolean ignoreCase;

    @Option(names = {"-C", "--context"}, defaultValue = "0", paramLabel = "BYTES", description = "Bytes of context to show before and after each match.")
    int context;

    @Option(names = "--count", description = "Print only the number of matches.")
    boolean count;

    @Option(names = "--threads", description = "Scanner threads (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    protected int run() throws Exception {
        return InspectCommand.inspectImage(this, image, pidOption, this::grep);
    }

    private int grep(Inspector in, SortedSet<Integer> pids) throws Exception {
        BytePattern p = hex ? BytePattern.hex(pattern) : BytePattern.regex(pattern, ignoreCase);
        Grep g = new Grep(in.reader(), p, context, threads);
        InspectCommand.noteParentPages(this, in.reader(), pids, "not searched");
        PrintWriter o = out();
        long[] n = {0};
        if (json.enabled() && !count) {
            ObjectNode h = InspectJson.document(image.toString()).put("pattern", pattern).put("hex", hex).put("context", context);
            try (JsonStream js = new JsonStream(o, h, "hits")) {
                g.run(pids, hit -> {
                    n[0]++;
                    js.add(InspectJson.grepHit(hit));
                });
            }
            return n[0] == 0 ? ExitCodes.NEGATIVE : ExitCodes.OK;
        }
        g.run(pids, hit -> {
            n[0]++;
            if (count) return;
            if (context > 0 && n[0] > 1) o.println("--");
            o.append(Integer.toString(hit.pid())).append('\t').append("0x").append(Long.toHexString(hit.address())).append('\t')
                    .append(Areas.label(hit.area())).append('\t').append(InspectText.escape(hit.match()))
                    .append(hit.length() > hit.match().length ? "..." : "").append('\n');
            if (hit.context() != null) Hexdump.lines(hit.contextAddress(), hit.context(), l -> o.append("  ").append(l.text()).append('\n'));
        });
        if (count && json.enabled()) o.println(json.render(InspectJson.document(image.toString()).put("count", n[0])));
        else if (count) o.println(n[0]);
        return n[0] == 0 ? ExitCodes.NEGATIVE : ExitCodes.OK;  // like grep: 1 when nothing matched
    }
}
