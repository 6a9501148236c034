package dev.ckptkit.cli;

import dev.ckptkit.io.AtomicFiles;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.table.PageRow;
import dev.ckptkit.io.table.TableCodec;
import dev.ckptkit.io.table.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", description = "Write a CKPT file's tables as plain Arrow IPC files (readable by pyarrow, "
        + "DuckDB, apache-arrow for JS) plus manifest.json; pages.arrow is the page index as a table.")
final class ExportCommand extends CkptCommand {
    @Option(names = "--tables", paramLabel = "DIR", required = true, description = "Directory to write the tables into (created).")
    Path dir;

    @Option(names = "--no-pages", description = "Do not write pages.arrow (it has a row per dumped page).")
    boolean noPages;

    @Parameters(paramLabel = "IMAGE", description = "A .ckpt file, or anything a backend converts.")
    Path image;

    @Override
    protected int run() throws Exception {
        try (var opened = openImage(image)) {
            CkptReader r = opened.reader();
            Files.createDirectories(dir);
            List<String> written = new ArrayList<>();
            for (TableCodec<?> t : Tables.STORED) {
                byte[] ipc = r.tableIpc(t.name());
                if (ipc == null) ipc = emptyTable(t);
                AtomicFiles.write(dir.resolve(t.name() + ".arrow"), ipc);
                written.add(t.name() + ".arrow (" + r.table(t).size() + " rows)");
            }
            if (!noPages) {
                List<PageRow> rows = pageRows(r.pages());
                try (RootAllocator alloc = new RootAllocator()) {
                    AtomicFiles.write(dir.resolve("pages.arrow"), Tables.PAGES.encode(rows, alloc));
                }
                written.add("pages.arrow (" + rows.size() + " rows)");
            }
            AtomicFiles.write(dir.resolve("manifest.json"), r.manifestJson());
            written.add("manifest.json");
            for (String w : written) out().println(dir.resolve(w));
        }
        return ExitCodes.OK;
    }

    private static byte[] emptyTable(TableCodec<?> t) throws java.io.IOException {
        try (RootAllocator alloc = new RootAllocator()) {
            return t.encode(List.of(), alloc);
        }
    }

    static List<PageRow> pageRows(PageStore p) throws java.io.IOException {
        List<PageRow> rows = new ArrayList<>();
        for (long i = 0; i < p.size(); i++) {
            PageStore.Entry e = p.entry(i);
            rows.add(new PageRow(e.pid(), e.vaddr(), e.flags(), e.page(), e.page() >= 0 ? p.hash(e.page()) : null));
        }
        return rows;
    }
}
