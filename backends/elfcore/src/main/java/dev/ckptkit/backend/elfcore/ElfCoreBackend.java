package dev.ckptkit.backend.elfcore;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.io.CkptReader;
import java.io.IOException;
import java.nio.file.Path;

/** x86-64 ELF core files: gcore output and kernel core dumps in, one gdb-loadable core per process out. */
public final class ElfCoreBackend implements Backend {
    static final String NAME = "elf-core";

    @Override
    public String name() { return NAME; }

    @Override
    public String description() {
        return "x86-64 ELF core files (gcore, kernel core dumps); export writes one core per process for gdb";
    }

    @Override
    public boolean canImport(Path input) throws IOException {
        return CoreFile.looksLike(input);
    }

    @Override
    public void importImage(Path input, ImportContext ctx) throws IOException {
        try (CoreFile core = CoreFile.open(input)) {
            Path name = input.getFileName();
            CoreImporter.importCore(core, name == null ? input.toString() : name.toString(), ctx);
        }
    }

    @Override
    public boolean canExport() { return true; }

    /** With {@code options.pid()}: one core file at {@code output}; without: a directory of {@code core.PID} files. */
    @Override
    public void exportImage(CkptReader image, Path output, ExportOptions options) throws IOException {
        new CoreExporter(image).export(output, options.pid());
    }
}
