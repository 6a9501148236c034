package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.CaptureOptions;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.io.AtomicFiles;
import dev.ckptkit.io.CkptReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Live capture: {@code criu dump} into a temporary directory, import it, clean up (the log stays on failure). With a
 * parent image the dump is made incremental by content before the import ({@link IncrementalDump}).
 */
final class CriuCapture {
    private CriuCapture() {}

    static void capture(CriuBackend backend, int pid, CaptureOptions o, ImportContext ctx) throws IOException {
        Criu criu = Criu.locate();
        // opened before the dump, so that a wrong parent fails before the processes are stopped
        try (CkptReader parent = o.parent() == null ? null : CriuChain.openParent(o.parent())) {
            capture(backend, criu, pid, o, parent, ctx);
        }
    }

    private static void capture(CriuBackend backend, Criu criu, int pid, CaptureOptions o, CkptReader parent, ImportContext ctx) throws IOException {
        Path work = Files.createTempDirectory("ckpt-capture-");
        Path images = Files.createDirectory(work.resolve("images"));
        Path log = work.resolve("dump.log");
        boolean ok = false;
        try {
            List<String> args = new ArrayList<>(List.of("dump", "-t", Integer.toString(pid), "-D", images.toString(),
                    "-o", log.toString(), "-v4"));
            if (o.leaveRunning()) args.add("--leave-running");
            if (o.shellJob()) args.add("--shell-job");
            if (o.tcpEstablished()) args.add("--tcp-established");
            for (String e : o.external()) {
                args.add("--external");
                args.add(e);
            }
            Criu.Result r = criu.run(args, work.resolve("criu.out"), () -> ctx.progress().update("criu dump", size(images), 0));
            if (r.exit() != 0) {
                throw new IOException("criu dump of pid " + pid + " failed (exit " + r.exit() + "): " + Criu.errorSummary(log)
                        + " (log: " + log + ")");
            }
            if (parent != null) IncrementalDump.importAgainst(backend, images, parent, o.parent(), ctx, criu.version());
            else backend.importImage(images, ctx, criu.version(), null, null);
            ok = true;
        } finally {
            if (ok) AtomicFiles.deleteTree(work);
            else AtomicFiles.deleteTree(images);
        }
    }

    /**
     * The parent link an exported incremental image carries: the parent's file name without .ckpt, beside it, so
     * that {@code ckpt convert P.ckpt --to criu -o DIR/P} and the child exported to {@code DIR/C} form a chain.
     */
    static String linkTo(Path parentCkpt) {
        String name = parentCkpt.getFileName().toString();
        return "../" + (name.endsWith(".ckpt") && name.length() > 5 ? name.substring(0, name.length() - 5) : name + ".d");
    }

    /** Bytes written so far into the image directory. */
    private static long size(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }
}
