package dev.ckptkit.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ckptkit.analyzer.inspect.Inspector;
import java.util.SortedSet;
import picocli.CommandLine.Command;


@Command(name = "mounts", description = "Mount tree of an image (with --pid: the mount namespaces of those processes).")
final class MountsCommand extends InspectCommand {
    @Override
    protected int inspect(Inspector in, SortedSet<Integer> pids) throws Exception {
        var ms = in.mounts(pids);
        if (json.enabled()) {
            ObjectNode doc = InspectJson.document(image.toString());
            ArrayNode a = doc.putArray("mounts");
            ms.forEach(m -> a.add(InspectJson.mount(m)));
            out().println(json.render(doc));
        } else {
            InspectText.mounts(out(), ms);
        }
        return ExitCodes.OK;
    }
}
