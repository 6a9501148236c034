package dev.ckptkit.cli;

import dev.ckptkit.backend.Backend;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "backends", description = "List the backends (formats ckpt converts from and to).")
final class BackendsCommand extends CkptCommand {
    @Mixin
    JsonOption json;

    record Row(String name, boolean exports, String description) {}

    @Override
    protected int run() {
        List<Row> rows = backends().all().stream().map(b -> new Row(b.name(), b.canExport(), b.description())).toList();
        if (json.enabled()) {
            out().println(json.render(rows));
        } else {
            for (Row r : rows) out().printf("%-10s %-14s %s%n", r.name(), r.exports() ? "import+export" : "import", r.description());
        }
        return ExitCodes.OK;
    }
}
