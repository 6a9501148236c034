package dev.ckptkit.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ckptkit.analyzer.inspect.Inspector;
import java.util.SortedSet;
import picocli.CommandLine.Command;


@Command(name = "fds", description = "File descriptor tables: what each fd points to (paths, pipes, sockets), flags, "
        + "positions, plus cwd and root.")
final class FdsCommand extends InspectCommand {
    @Override
    protected int inspect(Inspector in, SortedSet<Integer> pids) throws Exception {
        var procs = in.processes(pids);
        var fds = in.fds(pids);
        if (json.enabled()) {
            ObjectNode doc = InspectJson.document(image.toString());
            doc.set("processes", FdsCommand.json(procs, fds));
            out().println(json.render(doc));
        } else {
            InspectText.fds(out(), procs, fds);
        }
        return ExitCodes.OK;
    }

    static ArrayNode json(java.util.List<dev.ckptkit.analyzer.inspect.ProcessInfo> procs,
                          java.util.List<dev.ckptkit.analyzer.inspect.FdInfo> fds) {
        ArrayNode a = InspectJson.F.arrayNode();
        for (var p : procs) {
            ObjectNode o = a.addObject();
            o.put("pid", p.pid()).put("cwd", p.cwd()).put("root", p.root());
            ArrayNode f = o.putArray("fds");
            for (var fd : fds) if (fd.pid() == p.pid()) f.add(InspectJson.fd(fd));
        }
        return a;
    }
}
