package dev.ckptkit.backend.elfcore;

import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.backend.Progress;
import dev.ckptkit.backend.criu.CriuBackend;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.WriterOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** The real gcore core of testdata/elfcore and the CRIU image of the same process, unpacked for tests. */
final class CoreTestData {
    static final int PID = 20439;
    static final long HEAP_MARKER = 0x7f188ef80010L;
    static final long GLOBAL_MARKER = 0x562440ac40a0L;
    static final long COUNTER = 0x562440ac40e0L;
    static final String MARKER = "CKPT-MARKER-1";

    private CoreTestData() {}

    static Path root() {
        return Path.of(System.getProperty("ckpt.root", "../.."));
    }

    static Path testdata(String rel) {
        return root().resolve("testdata").resolve(rel);
    }

    static Path gunzip(String rel, Path into, String name) throws IOException {
        Path out = into.resolve(name);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(testdata(rel)))) {
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
        return out;
    }

    /** memfile.core: gcore of the memfile workload (counter 3). */
    static Path core(Path into) throws IOException {
        return gunzip("elfcore/memfile.core.gz", into, "memfile.core");
    }

    /** threads.core: a kernel core (SIGABRT) of a 3-thread process, see testdata/elfcore/threads.txt. */
    static Path kernelCore(Path into) throws IOException {
        return gunzip("elfcore/threads.core.gz", into, "threads.core");
    }

    static Path kernelBinary(Path into) throws IOException {
        Path p = gunzip("elfcore/threads.bin.gz", into, "threads");
        p.toFile().setExecutable(true);
        // older than any core, so gdb does not warn that the executable is newer than the core
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(0));
        return p;
    }

    /** The executable of the memfile workload, with symbols. */
    static Path binary(Path into) throws IOException {
        Path p = gunzip("elfcore/memfile.bin.gz", into, "memfile");
        p.toFile().setExecutable(true);
        // older than any core, so gdb does not warn that the executable is newer than the core
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(0));
        return p;
    }

    /** The CRIU image directory of the same process, dumped a second later (counter 4). */
    static Path criuDir(Path tmp) throws IOException {
        Path into = tmp.resolve("criu");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(testdata("criu/memfile.tar.gz")));
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                Path t = into.resolve(e.getName()).normalize();
                if (!t.startsWith(into)) throw new IOException("bad entry " + e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(t);
                } else {
                    Files.createDirectories(t.getParent());
                    Files.copy(tar, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return into.resolve("memfile");
    }

    static ImportContext context(Path out) {
        return new ImportContext(out, WriterOptions.defaults(WriterOptions.uuidFrom(out.toString())), null, null, Progress.NONE);
    }

    static Path importCore(Path core, Path out) throws IOException {
        new ElfCoreBackend().importImage(core, context(out));
        return out;
    }

    static Path importCriu(Path dir, Path out) throws IOException {
        new CriuBackend().importImage(dir, context(out));
        return out;
    }

    static Path exportCore(Path ckpt, int pid, Path out) throws IOException {
        try (CkptReader r = CkptReader.open(ckpt)) {
            new ElfCoreBackend().exportImage(r, out, new ExportOptions(pid, java.util.Map.of()));
        }
        return out;
    }

    /** Bytes at vaddr of pid, page by page from the image; null if a page is missing. */
    static byte[] read(CkptReader r, int pid, long vaddr, int len) throws IOException {
        byte[] out = new byte[len];
        byte[] page = new byte[4096];
        long at = vaddr;
        while (at < vaddr + len) {
            long base = at & -4096L;
            if (!r.pages().read(pid, base, page, 0)) return null;
            int from = (int) (at - base), n = (int) Math.min(4096 - from, vaddr + len - at);
            System.arraycopy(page, from, out, (int) (at - vaddr), n);
            at += n;
        }
        return out;
    }

    static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    static long u64(byte[] b) {
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
    }
}
