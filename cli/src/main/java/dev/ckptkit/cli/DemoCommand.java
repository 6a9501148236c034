package dev.ckptkit.cli;

import dev.ckptkit.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job on bundled real data: a CRIU checkpoint of a running C program is converted to CKPT, inspected,
 * searched for the marker string the program keeps in memory, exported as Arrow tables and converted back to a CRIU
 * image directory that is byte-identical to the original. Then a live program is checkpointed and restarted the
 * userspace way ({@link LiveDemo}).
 */
@Command(name = "demo", description = "Run the main job on the bundled real CRIU image (testdata/criu/memfile.tar.gz), then "
        + "checkpoint and restart a live program the userspace way.")
final class DemoCommand extends CkptCommand {
    @Option(names = "--image", description = "A CRIU image dir .tar.gz (default: testdata/criu/memfile.tar.gz).")
    Path image;

    @Option(names = "--keep", description = "Keep the work directory and print its path.")
    boolean keep;

    @Option(names = "--no-live", description = "Skip the second part: checkpoint and restart of a live program (userspace style).")
    boolean noLive;

    @Override
    protected int run() throws Exception {
        Path archive = image != null ? image : root().resolve("testdata/criu/memfile.tar.gz");
        if (!Files.exists(archive)) throw new CkptException(archive + ": bundled image not found (run from the ckptkit checkout)");
        Path work = Files.createTempDirectory("ckpt-demo-");
        try {
            Path criuDir = untar(archive, work.resolve("criu"));
            Path ckpt = work.resolve("image.ckpt");
            Path back = work.resolve("criu-again");
            List<String[]> steps = new ArrayList<>(List.of(
                    new String[] {"convert", criuDir.toString(), "-o", ckpt.toString()},
                    new String[] {"info", ckpt.toString()}));
            steps.addAll(inspectionSteps(ckpt));
            steps.add(new String[] {"export", "--tables", work.resolve("tables").toString(), ckpt.toString()});
            steps.add(new String[] {"convert", ckpt.toString(), "--to", "criu", "-o", back.toString()});
            for (String[] step : steps) {
                int rc = DemoStep.run(out(), err(), step).exitCode();
                if (rc != 0) return rc;
            }
            out().println("$ diff -r " + criuDir + " " + back);
            int differing = compareTrees(criuDir, back);
            out().println(differing == 0 ? "(identical: every CRIU image file came back byte for byte)" : differing + " files differ");
            if (differing != 0) return ExitCodes.NEGATIVE;
            int rc = ExitCodes.OK;
            if (!noLive) {
                out().println();
                out().println("# the userspace style: a live program checkpointed from inside by libckpt.so, then restarted");
                rc = new LiveDemo(out(), err(), work).run();
            }
            if (keep) out().println("work directory: " + work);
            return rc;
        } finally {
            if (!keep) AtomicFiles.deleteTree(work);
        }
    }

    /** Inspection commands, when this build has them. */
    private List<String[]> inspectionSteps(Path ckpt) {
        List<String[]> steps = new ArrayList<>();
        if (Main.hasSubcommand("ps")) steps.add(new String[] {"ps", ckpt.toString()});
        if (Main.hasSubcommand("maps")) steps.add(new String[] {"maps", ckpt.toString()});
        if (Main.hasSubcommand("fds")) steps.add(new String[] {"fds", ckpt.toString()});
        if (Main.hasSubcommand("grep")) steps.add(new String[] {"grep", "CKPT-MARKER-[0-9]+", ckpt.toString()});
        return steps;
    }

    static Path root() {
        String r = System.getProperty("ckpt.root");
        return Path.of(r != null ? r : ".");
    }

    private static Path untar(Path archive, Path dest) throws IOException {
        Files.createDirectories(dest);
        Path top = null;
        try (InputStream in = new GzipCompressorInputStream(new java.io.BufferedInputStream(Files.newInputStream(archive)));
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path p = dest.resolve(e.getName()).normalize();
                if (!p.startsWith(dest)) throw new IOException(archive + ": entry " + e.getName() + " escapes the archive");
                if (e.isDirectory()) {
                    Files.createDirectories(p);
                } else if (e.isFile()) {
                    Files.createDirectories(p.getParent());
                    Files.copy(tar, p);
                }
                if (top == null) top = dest.resolve(Path.of(e.getName()).getName(0));
            }
        }
        return top == null ? dest : top;
    }

    private static int compareTrees(Path a, Path b) throws IOException {
        int differing = 0;
        try (Stream<Path> s = Files.walk(a)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Path q = b.resolve(a.relativize(p));
                if (!Files.exists(q) || Files.mismatch(p, q) != -1) differing++;
            }
        }
        try (Stream<Path> s = Files.walk(b)) {
            for (Path q : s.filter(Files::isRegularFile).toList()) if (!Files.exists(a.resolve(b.relativize(q)))) differing++;
        }
        return differing;
    }
}
