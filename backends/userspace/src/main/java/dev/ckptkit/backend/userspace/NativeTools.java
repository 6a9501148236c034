package dev.ckptkit.backend.userspace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The native parts (libckpt.so, ckpt-loader, ckpt.h), built by the Maven build and carried as class path resources,
 * extracted once per content hash into a cache directory ($CKPT_CACHE, else $XDG_CACHE_HOME/ckptkit, else
 * ~/.cache/ckptkit) so that concurrent runs and upgrades never see half-written files.
 */
public final class NativeTools {
    private static final String[] FILES = {"libckpt.so", "ckpt-loader", "ckpt-bench-dirty", "ckpt.h"};
    private final Path dir;

    private NativeTools(Path dir) {
        this.dir = dir;
    }

    public static NativeTools extract() throws IOException {
        byte[][] content = new byte[FILES.length][];
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < FILES.length; i++) {
            try (InputStream in = NativeTools.class.getResourceAsStream("native/" + FILES[i])) {
                if (in == null) throw new IOException("native/" + FILES[i] + " is missing from the class path: the build did not compile the userspace backend's C code (is gcc installed?)");
                content[i] = in.readAllBytes();
            }
            md.update(content[i]);
        }
        String id = HexFormat.of().formatHex(md.digest()).substring(0, 16);
        Path dir = cacheRoot().resolve("native-" + id);
        if (!Files.isRegularFile(dir.resolve(FILES[FILES.length - 1]))) {
            Files.createDirectories(dir.getParent());
            Path tmp = Files.createTempDirectory(dir.getParent(), ".native-");
            for (int i = 0; i < FILES.length; i++) {
                Path f = tmp.resolve(FILES[i]);
                Files.write(f, content[i]);
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(FILES[i].endsWith(".h") ? "rw-r--r--" : "rwxr-xr-x"));
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isDirectory(dir)) throw e;  // another run won the race: theirs is identical
                try (var s = Files.list(tmp)) {
                    s.forEach(p -> { try { Files.delete(p); } catch (IOException x) { throw new UncheckedIOException(x); } });
                }
                Files.deleteIfExists(tmp);
            }
        }
        return new NativeTools(dir);
    }

    static Path cacheRoot() {
        String c = System.getenv("CKPT_CACHE");
        if (c != null && !c.isEmpty()) return Path.of(c);
        String x = System.getenv("XDG_CACHE_HOME");
        if (x != null && !x.isEmpty()) return Path.of(x, "ckptkit");
        return Path.of(System.getProperty("user.home"), ".cache", "ckptkit");
    }

    public Path library() { return dir.resolve("libckpt.so"); }

    public Path loader() { return dir.resolve("ckpt-loader"); }

    public Path header() { return dir.resolve("ckpt.h"); }

    /** The benchmark's workload: dirties N MiB, then ticks a status file. */
    public Path benchWorkload() { return dir.resolve("ckpt-bench-dirty"); }
}
