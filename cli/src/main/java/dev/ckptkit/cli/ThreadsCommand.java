package dev.ckptkit.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ckptkit.analyzer.inspect.Inspector;
import java.util.SortedSet;
import picocli.CommandLine.Command;


@Command(name = "threads", description = "Threads of an image with their registers decoded (x86_64: user_regs_struct order; "
        + "FXSAVE/XSAVE state: control words, xmm/ymm registers).")
final class ThreadsCommand extends InspectCommand {
    @Override
    protected int inspect(Inspector in, SortedSet<Integer> pids) throws Exception {
        var ts = in.threads(pids);
        if (json.enabled()) {
            ObjectNode doc = InspectJson.document(image.toString());
            ArrayNode a = doc.putArray("threads");
            ts.forEach(t -> a.add(InspectJson.thread(t)));
            out().println(json.render(doc));
        } else {
            InspectText.threads(out(), ts, Comms.of(in));
        }
        return ExitCodes.OK;
    }
}
