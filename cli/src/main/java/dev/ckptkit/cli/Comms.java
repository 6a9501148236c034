package dev.ckptkit.cli;

import dev.ckptkit.analyzer.inspect.Inspector;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** pid -> command name, for headings. */
final class Comms {
    private Comms() {}

    static Map<Integer, String> of(Inspector in) throws IOException {
        Map<Integer, String> m = new HashMap<>();
        for (ProcessRow p : in.reader().table(Tables.PROCESSES)) m.put(p.pid(), p.comm());
        return m;
    }
}
