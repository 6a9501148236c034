package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.RestoreOptions;
import dev.ckptkit.backend.RestoreResult;
import dev.ckptkit.io.AtomicFiles;
import dev.ckptkit.io.CkptReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The restart loader: export the image to a temporary CRIU directory (an incremental one with its parent chain
 * beside it, see {@link CriuChain}) and run {@code criu restore -d} on it.
 */
final class CriuRestore {
    private CriuRestore() {}

    static RestoreResult restore(CkptReader image, RestoreOptions o) throws IOException {
        Criu criu = Criu.locate();
        boolean fromTables = !CriuExporter.hasCriuRecords(image);  // userspace-style or core images: no CRIU files kept
        long absent = CriuChain.absentPages(image);
        if (!fromTables && absent > 0 && o.parents().isEmpty()) {
            throw new IOException(image.path() + ": " + absent + " pages are in its parent image; restore needs the parent chain (--parent)");
        }
        Path work = Files.createTempDirectory("ckpt-restore-");
        Path images = work.resolve("images");
        Path log = work.resolve("restore.log");
        Path pidfile = work.resolve("restore.pid");
        boolean ok = false;
        try {
            if (fromTables) TableToCriu.writeForRestore(image, Files.createDirectory(images));
            else CriuChain.export(image, o.parents(), work);
            List<String> args = new ArrayList<>(List.of("restore", "-D", images.toString(), "-d", "-o", log.toString(),
                    "-v4", "--pidfile", pidfile.toString()));
            if (o.shellJob()) args.add("--shell-job");
            if (o.tcpEstablished()) args.add("--tcp-established");
            for (String e : o.external()) {
                args.add("--external");
                args.add(e);
            }
            Criu.Result r = criu.run(args, work.resolve("criu.out"), null);
            if (r.exit() != 0) {
                throw new IOException("criu restore failed (exit " + r.exit() + "): " + Criu.errorSummary(log) + " (log: " + log + ")");
            }
            int pid = Integer.parseInt(Files.readString(pidfile, StandardCharsets.US_ASCII).strip());
            ok = true;
            return o.keepImages() ? new RestoreResult(pid, images, log) : new RestoreResult(pid, null, null);
        } finally {
            if (ok && !o.keepImages()) AtomicFiles.deleteTree(work);
            else if (!ok) deleteImages(work);
        }
    }

    /** After a failure: the exported images go, the log stays for the error message. */
    private static void deleteImages(Path work) throws IOException {
        try (var s = Files.list(work)) {
            for (Path p : s.toList()) if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) AtomicFiles.deleteTree(p);
        }
    }
}
