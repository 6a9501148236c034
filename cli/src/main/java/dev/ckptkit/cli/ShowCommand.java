package dev.ckptkit.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ckptkit.analyzer.inspect.Inspector;
import dev.ckptkit.io.manifest.Manifest;
import java.io.PrintWriter;
import java.util.Map;
import java.util.SortedSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "show", description = "Everything ckpt ps, threads, maps, fds, sockets and mounts show, in one report.")
final class ShowCommand extends InspectCommand {
    @Option(names = "--env", description = "Also show each process's environment.")
    boolean env;

    @Override
    protected int inspect(Inspector in, SortedSet<Integer> pids) throws Exception {
        var procs = in.processes(pids);
        var threads = in.threads(pids);
        var areas = in.areas(pids);
        var fds = in.fds(pids);
        var sockets = in.sockets(pids);
        var mounts = in.mounts(pids);
        Manifest m = in.reader().manifest();
        if (json.enabled()) {
            ObjectNode doc = InspectJson.document(image.toString());
            doc.putPOJO("manifest", m);
            ArrayNode p = doc.putArray("processes");
            procs.forEach(x -> p.add(InspectJson.process(x, env)));
            ArrayNode t = doc.putArray("threads");
            threads.forEach(x -> t.add(InspectJson.thread(x)));
            ArrayNode a = doc.putArray("areas");
            areas.forEach(x -> a.add(InspectJson.area(x)));
            doc.set("fds", FdsCommand.json(procs, fds));
            ArrayNode s = doc.putArray("sockets");
            sockets.forEach(x -> s.add(InspectJson.socket(x)));
            ArrayNode mo = doc.putArray("mounts");
            mounts.forEach(x -> mo.add(InspectJson.mount(x)));
            out().println(json.render(doc));
            return ExitCodes.OK;
        }
        PrintWriter o = out();
        Map<Integer, String> comms = Comms.of(in);
        o.printf("image:     %s%n", image);
        if (m.producer() != null) o.printf("producer:  %s%s%n", m.producer().backend(), m.producer().backendVersion() == null ? "" : " " + m.producer().backendVersion());
        if (m.host() != null) o.printf("host:      %s %s %s%n", InspectText.nz(m.host().hostname()), InspectText.nz(m.host().kernelRelease()), InspectText.nz(m.host().arch()));
        if (m.capturedAt() != null) o.printf("captured:  %s%n", m.capturedAt());
        heading(o, "Processes");
        InspectText.processes(o, procs, env);
        heading(o, "Threads");
        InspectText.threads(o, threads, comms);
        heading(o, "Memory");
        InspectText.areas(o, areas, comms);
        heading(o, "Files");
        InspectText.fds(o, procs, fds);
        heading(o, "Sockets");
        if (sockets.isEmpty()) o.println("(none)");
        else InspectText.sockets(o, sockets);
        heading(o, "Mounts");
        if (mounts.isEmpty()) o.println("(none recorded)");
        else InspectText.mounts(o, mounts);
        return ExitCodes.OK;
    }

    private static void heading(PrintWriter o, String title) {
        o.println();
        o.println("== " + title + " ==");
    }
}
