package dev.ckptkit.cli;

import dev.ckptkit.backend.Backend;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "backends", description = "List the backends (formats ckpt converts from and to).")
final class BackendsCommand extends CkptCommand {
    @Mixin
    JsonOption json;

    record Row(String name, List<String> can, String description) {}

    private static List<String> abilities(Backend b) {
        List<String> can = new java.util.ArrayList<>(List.of("import"));
        if (b.canExport()) can.add("export");
        if (b.canCapture()) can.add("capture");
        if (b.canRestore()) can.add("restore");
        return can;
    }

    @Override
    protected int run() {
        List<Row> rows = backends().all().stream().map(b -> new Row(b.name(), abilities(b), b.description())).toList();
        if (json.enabled()) {
            out().println(json.render(rows));
        } else {
            for (Row r : rows) out().printf("%-10s %-30s %s%n", r.name(), String.join(",", r.can()), r.description());
        }
        return ExitCodes.OK;
    }
}
