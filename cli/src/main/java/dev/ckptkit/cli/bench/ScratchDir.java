package dev.ckptkit.cli.bench;

import dev.ckptkit.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --work DIR} option of the benchmarks: a scratch directory kept when given, deleted when made here. */
public final class ScratchDir {
    @Option(names = "--work", paramLabel = "DIR", description = "Scratch directory (default: a new one under the system temp dir, deleted after).")
    Path work;

    public Path create(String prefix) throws IOException {
        return work != null ? Files.createDirectories(work) : Files.createTempDirectory(prefix);
    }

    public void cleanUp(Path dir) throws IOException {
        if (work == null) AtomicFiles.deleteTree(dir);
    }
}
