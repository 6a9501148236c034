package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.backend.Progress;
import dev.ckptkit.io.WriterOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** The real CRIU images of testdata/ (copied from ../shared/testdata), unpacked for tests. */
final class TestImages {
    static final List<String> CRIU = List.of("memfile", "tree", "tcp");

    private TestImages() {}

    static Path root() {
        return Path.of(System.getProperty("ckpt.root", "../.."));
    }

    static Path testdata(String rel) {
        return root().resolve("testdata").resolve(rel);
    }

    /** Unpacks testdata/criu/NAME.tar.gz into {@code into} and returns the image directory. */
    static Path criuDir(String name, Path into) throws IOException {
        untar(testdata("criu/" + name + ".tar.gz"), into);
        return into.resolve(name);
    }

    /** Unpacks the crit --pretty JSON of an image set; returns NAME.crit/. */
    static Path critJson(String name, Path into) throws IOException {
        untar(testdata("criu/" + name + ".crit.tar.gz"), into);
        return into.resolve(name + ".crit");
    }

    static void untar(Path tgz, Path into) throws IOException {
        try (InputStream in = new GzipCompressorInputStream(Files.newInputStream(tgz));
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                Path t = into.resolve(e.getName()).normalize();
                if (e.isDirectory()) {
                    Files.createDirectories(t);
                } else {
                    Files.createDirectories(t.getParent());
                    Files.copy(tar, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static ImportContext context(Path out) {
        return new ImportContext(out, WriterOptions.defaults(WriterOptions.uuidFrom("test")), null, Map.of(), Progress.NONE);
    }

    /** Relative name -> bytes of every regular file under dir. */
    static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) m.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
        return m;
    }

    /** Both trees hold the same files with the same bytes. */
    static void assertSameFiles(Path expected, Path actual) throws IOException {
        Map<String, byte[]> before = files(expected), after = files(actual);
        org.junit.jupiter.api.Assertions.assertEquals(before.keySet(), after.keySet());
        for (String f : before.keySet()) org.junit.jupiter.api.Assertions.assertArrayEquals(before.get(f), after.get(f), f);
    }

    /** The crit wrapper of the private CRIU install, or null when there is none. */
    static Path crit() {
        Path c = root().resolve(".tools/criu/bin/crit");
        return Files.isExecutable(c) ? c : null;
    }

    /** Runs a command, returns its stdout; fails on a non-zero exit. */
    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + cmd);
        }
        if (p.exitValue() != 0) throw new IOException("exit " + p.exitValue() + ": " + cmd);
        return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    }
}
