package dev.ckptkit.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ckptkit.analyzer.inspect.Inspector;
import dev.ckptkit.analyzer.inspect.Strings;
import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.Set;
import java.util.SortedSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "strings", description = "Printable strings in the dumped memory (like strings -a), each with pid, address "
        + "and owning memory area. Text output: PID<TAB>ADDRESS<TAB>ENCODING<TAB>AREA<TAB>STRING.")
final class StringsCommand extends InspectCommand {
    enum Enc { ascii, utf16le, all }

    @Option(names = {"-n", "--min-len"}, defaultValue = "4", description = "Shortest string to print, in characters (default: ${DEFAULT-VALUE}).")
    int minLength;

    @Option(names = {"-e", "--encoding"}, defaultValue = "all", description = "ascii, utf16le or all (default: ${DEFAULT-VALUE}).")
    Enc encoding;

    @Option(names = "--count", description = "Print only the number of strings.")
    boolean count;

    @Option(names = "--threads", description = "Scanner threads (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    protected int inspect(Inspector in, SortedSet<Integer> pids) throws Exception {
        Set<Strings.Encoding> enc = switch (encoding) {
            case ascii -> EnumSet.of(Strings.Encoding.ASCII);
            case utf16le -> EnumSet.of(Strings.Encoding.UTF16LE);
            case all -> EnumSet.allOf(Strings.Encoding.class);
        };
        Strings s = new Strings(in.reader(), minLength, enc, threads);
        noteParentPages(this, in.reader(), pids, "not searched");
        PrintWriter o = out();
        long[] n = {0};
        if (json.enabled() && !count) {
            ObjectNode h = InspectJson.document(image.toString()).put("minLength", minLength);
            enc.forEach(e -> h.withArray("encodings").add(e.name().toLowerCase()));
            try (JsonStream js = new JsonStream(o, h, "hits")) {
                s.run(pids, InspectJson::stringHit, js::add);
            }
            return ExitCodes.OK;
        }
        if (count) {
            s.run(pids, hit -> n[0]++);
        } else {
            s.runLines(pids, c -> {
                n[0] += c.count();
                o.write(c.text());
            });
        }
        if (count && json.enabled()) o.println(json.render(InspectJson.document(image.toString()).put("count", n[0])));
        else if (count) o.println(n[0]);
        return ExitCodes.OK;
    }
}
