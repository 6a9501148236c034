package dev.ckptkit.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ckptkit.analyzer.inspect.Inspector;
import java.util.SortedSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;


@Command(name = "ps", description = "Process tree of an image: pid, ppid, pgid, sid, threads, command line.")
final class PsCommand extends InspectCommand {
    @Option(names = "--env", description = "Also show each process's environment.")
    boolean env;

    @Override
    protected int inspect(Inspector in, SortedSet<Integer> pids) throws Exception {
        var ps = in.processes(pids);
        if (json.enabled()) {
            ObjectNode doc = InspectJson.document(image.toString());
            ArrayNode a = doc.putArray("processes");
            ps.forEach(p -> a.add(InspectJson.process(p, env)));
            out().println(json.render(doc));
        } else {
            InspectText.processes(out(), ps, env);
        }
        return ExitCodes.OK;
    }
}
