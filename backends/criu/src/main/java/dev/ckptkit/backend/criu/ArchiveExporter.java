package dev.ckptkit.backend.criu;

import com.github.luben.zstd.ZstdOutputStream;
import dev.ckptkit.io.AtomicFiles;
import dev.ckptkit.io.CkptReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Writes a container checkpoint archive (the Podman/CRI-O layout): the CRIU images under checkpoint/ and the
 * files the image carries as {@code container/...} attachments at the top, as a tar compressed by the output
 * name (.tar, .tar.gz/.tgz, .tar.zst). Entries are sorted and dated at the epoch so the output is deterministic.
 */
final class ArchiveExporter {
    private ArchiveExporter() {}

    static boolean isArchiveName(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".tar") || n.endsWith(".tar.gz") || n.endsWith(".tgz") || n.endsWith(".tar.zst");
    }

    static void export(CkptReader r, Path out) throws IOException {
        if (!CriuExporter.hasCriuRecords(r)) {
            throw new IOException(r.path() + ": has no CRIU records (criu/inventory.img): a container checkpoint archive is made only from an image imported from one; export to a CRIU directory instead");
        }
        Path tmp = Files.createTempDirectory("ckpt-archive-out-");
        try {
            Path cp = Files.createDirectory(tmp.resolve("checkpoint"));
            CriuExporter.writeInto(r, cp);
            String n = out.getFileName().toString();
            AtomicFiles.write(out, raw -> {
                OutputStream c = n.endsWith(".tar.zst") ? new ZstdOutputStream(raw, 3)
                        : n.endsWith(".tar") ? raw : new GzipCompressorOutputStream(raw);
                try (TarArchiveOutputStream tar = new TarArchiveOutputStream(c)) {
                    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                    for (String a : r.attachments().keySet()) {
                        if (!a.startsWith(ContainerArchive.ATTACHMENT_PREFIX)) continue;
                        try (InputStream in = r.attachment(a)) {
                            entry(tar, a.substring(ContainerArchive.ATTACHMENT_PREFIX.length()), r.attachments().get(a), in);
                        }
                    }
                    List<Path> files;
                    try (Stream<Path> s = Files.walk(cp)) {
                        files = s.filter(Files::isRegularFile).sorted().toList();
                    }
                    for (Path f : files) {
                        try (InputStream in = Files.newInputStream(f)) {
                            entry(tar, "checkpoint/" + cp.relativize(f), Files.size(f), in);
                        }
                    }
                    tar.finish();
                }
            });
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
    }

    private static void entry(TarArchiveOutputStream tar, String name, long size, InputStream in) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(size);
        e.setMode(0100600);
        e.setModTime(new Date(0));
        tar.putArchiveEntry(e);
        in.transferTo(tar);
        tar.closeArchiveEntry();
    }
}
