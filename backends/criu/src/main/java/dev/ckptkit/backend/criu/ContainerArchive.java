package dev.ckptkit.backend.criu;

import com.github.luben.zstd.ZstdInputStream;
import dev.ckptkit.io.AtomicFiles;
import dev.ckptkit.io.CorruptImageException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.InvalidPathException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A container checkpoint archive as Podman and CRI-O write it (and checkpointctl reads it): a tar, plain or
 * compressed with gzip or zstd, holding the CRIU images under {@code checkpoint/} and the container's metadata
 * beside them (config.dump, spec.dump, rootfs-diff.tar, ...). Extracted into a temporary directory, since CRIU
 * page files need random access.
 */
final class ContainerArchive implements AutoCloseable {
    static final String CHECKPOINT_DIR = "checkpoint/";
    /** Attachment name prefix of the archive's files outside checkpoint/. */
    static final String ATTACHMENT_PREFIX = "container/";

    private final Path root;
    private final Map<String, Path> extras = new TreeMap<>();

    private ContainerArchive(Path root) {
        this.root = root;
    }

    /** True if {@code p} is a tar (plain, gzip or zstd) with checkpoint/inventory.img; reads until it knows. */
    static boolean looksLike(Path p) {
        if (!Files.isRegularFile(p)) return false;
        try (TarArchiveInputStream tar = open(p)) {
            if (tar == null) return false;
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (normalise(e.getName()).equals(CHECKPOINT_DIR + "inventory.img")) return true;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Unpacks the archive's regular files (links, devices and other entry types are skipped: a checkpoint has none,
     * and a hostile link must not lead a later entry outside the temp dir). Damage and hostile entries are reported as
     * {@link CorruptImageException}s naming the archive and the offset in its (uncompressed) tar stream.
     */
    static ContainerArchive extract(Path archive) throws IOException {
        Path root = Files.createTempDirectory("ckpt-archive-");
        ContainerArchive a = new ContainerArchive(root);
        String resource = archive.toString();
        try (TarArchiveInputStream tar = open(archive)) {
            if (tar == null) throw new IOException(archive + ": not a tar archive (plain, gzip or zstd)");
            for (TarArchiveEntry e; (e = nextEntry(tar, resource)) != null; ) {
                String name = normalise(e.getName());
                if (name.isEmpty() || !isRegularFile(e)) continue;
                Path target = resolveInside(root, name);
                if (target == null) {
                    throw new CorruptImageException(resource, tar.getBytesRead(), "entry '" + e.getName() + "' points outside the archive");
                }
                OutputStream out;
                try {
                    Files.createDirectories(target.getParent());
                    out = Files.newOutputStream(target);
                } catch (FileSystemException clash) {
                    // a file where an earlier entry made a directory, or the other way round
                    throw new CorruptImageException(resource, tar.getBytesRead(), "entry '" + e.getName() + "' clashes with an earlier entry");
                }
                try (out) {
                    copyEntry(tar, out, resource);
                }
                if (!name.startsWith(CHECKPOINT_DIR)) a.extras.put(name, target);
            }
            if (!Files.isRegularFile(root.resolve(CHECKPOINT_DIR + "inventory.img"))) {
                // canImport saw the name, so the entry is there but is no plain file (a link, a device)
                throw new CorruptImageException(resource, tar.getBytesRead(), "no regular file checkpoint/inventory.img: not a container checkpoint archive");
            }
            return a;
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    /** Where entry {@code name} goes under {@code root}; null if it leaves root (../, or a name no path can have). */
    private static Path resolveInside(Path root, String name) {
        try {
            Path target = root.resolve(name).normalize();
            return target.startsWith(root) && !target.equals(root) ? target : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** Plain files only: symlinks, hard links, devices and FIFOs report isFile() too when their names lack a slash. */
    private static boolean isRegularFile(TarArchiveEntry e) {
        return e.isFile() && !e.isSymbolicLink() && !e.isLink() && !e.isCharacterDevice() && !e.isBlockDevice() && !e.isFIFO();
    }

    /** The next entry; a damaged header, a truncated or badly compressed stream is corruption of the archive. */
    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, String resource) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IOException | IllegalArgumentException e) {
            throw new CorruptImageException(resource, tar.getBytesRead(), oneLine(e), e);
        }
    }

    /** Copies the current entry; a read error is the archive's fault, a write error (disk full) is not. */
    private static void copyEntry(TarArchiveInputStream tar, OutputStream out, String resource) throws IOException {
        byte[] buf = new byte[1 << 16];
        while (true) {
            int n;
            try {
                n = tar.read(buf);
            } catch (IOException | IllegalArgumentException e) {
                throw new CorruptImageException(resource, tar.getBytesRead(), oneLine(e), e);
            }
            if (n < 0) return;
            out.write(buf, 0, n);
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    /** The files of an unpacked container checkpoint outside its checkpoint/ directory, by relative name. */
    static Map<String, Path> extrasOf(Path dir) throws IOException {
        Map<String, Path> m = new TreeMap<>();
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                String name = dir.relativize(p).toString();
                if (!name.startsWith(CHECKPOINT_DIR)) m.put(name, p);
            }
        }
        return m;
    }

    private static String normalise(String name) {
        String n = name;
        while (n.startsWith("./")) n = n.substring(2);
        while (n.startsWith("/")) n = n.substring(1);
        return n;
    }

    /** A tar stream over the file, decompressing gzip or zstd by magic; null if it is none of these. */
    private static TarArchiveInputStream open(Path p) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
        raw.mark(512);
        byte[] head = raw.readNBytes(4);
        raw.reset();
        InputStream in;
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            in = GzipCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true).get();
        } else if (head.length == 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
            in = new ZstdInputStream(raw);
        } else if (isTar(raw)) {
            in = raw;
        } else {
            raw.close();
            return null;
        }
        return new TarArchiveInputStream(in);
    }

    private static boolean isTar(InputStream raw) throws IOException {
        raw.mark(512);
        byte[] block = raw.readNBytes(512);
        raw.reset();
        return block.length == 512 && TarArchiveInputStream.matches(block, block.length);
    }

    Path checkpointDir() { return root.resolve(CHECKPOINT_DIR); }

    /** Files outside checkpoint/, by name in the archive. */
    Map<String, Path> extras() { return extras; }

    @Override
    public void close() throws IOException {
        AtomicFiles.deleteTree(root);
    }
}
