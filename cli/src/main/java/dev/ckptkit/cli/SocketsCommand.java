package dev.ckptkit.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ckptkit.analyzer.inspect.Inspector;
import java.util.SortedSet;
import picocli.CommandLine.Command;


@Command(name = "sockets", description = "Sockets of an image: family, type, state, addresses, and which pid/fd hold them.")
final class SocketsCommand extends InspectCommand {
    @Override
    protected int inspect(Inspector in, SortedSet<Integer> pids) throws Exception {
        var ss = in.sockets(pids);
        if (json.enabled()) {
            ObjectNode doc = InspectJson.document(image.toString());
            ArrayNode a = doc.putArray("sockets");
            ss.forEach(s -> a.add(InspectJson.socket(s)));
            out().println(json.render(doc));
        } else {
            InspectText.sockets(out(), ss);
        }
        return ExitCodes.OK;
    }
}
