package dev.ckptkit.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ckptkit.analyzer.inspect.Inspector;
import java.util.SortedSet;
import picocli.CommandLine.Command;


@Command(name = "maps", description = "Memory areas like /proc/PID/maps, with how much of each the image holds: "
        + "dumped (with content, zero pages included), zero, and shared with other processes (same stored page).")
final class MapsCommand extends InspectCommand {
    @Override
    protected int inspect(Inspector in, SortedSet<Integer> pids) throws Exception {
        var as = in.areas(pids);
        if (json.enabled()) {
            ObjectNode doc = InspectJson.document(image.toString());
            ArrayNode a = doc.putArray("areas");
            as.forEach(x -> a.add(InspectJson.area(x)));
            out().println(json.render(doc));
        } else {
            InspectText.areas(out(), as, Comms.of(in));
        }
        return ExitCodes.OK;
    }
}
