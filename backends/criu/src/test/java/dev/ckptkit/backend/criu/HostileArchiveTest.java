package dev.ckptkit.backend.criu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.Backends;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CorruptImageException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Container archives with hostile entries around a real inventory.img: nothing is ever written outside the
 * extraction directory, links are not created, and what cannot be extracted is a one-line CorruptImageException
 * naming the archive and the offset (the fuzz seeds in CriuFuzzTestInputs/fuzzArchive hold the same shapes).
 */
class HostileArchiveTest {
    @TempDir
    Path tmp;

    private final Backend criu = Backends.load().named("criu");

    private byte[] inventory() throws IOException {
        return Files.readAllBytes(TestImages.criuDir("tcp", tmp.resolve("img")).resolve("inventory.img"));
    }

    /** A tar of the given entries: {name, data} for files, {name, null, linkTarget, flag} for links. */
    private Path tar(String file, Object[]... entries) throws IOException {
        Path p = tmp.resolve(file);
        try (OutputStream o = Files.newOutputStream(p); TarArchiveOutputStream t = new TarArchiveOutputStream(o)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Object[] e : entries) {
                TarArchiveEntry te;
                if (e[1] == null) {
                    te = new TarArchiveEntry((String) e[0], (byte) e[3]);
                    te.setLinkName((String) e[2]);
                } else {
                    te = new TarArchiveEntry((String) e[0]);
                    te.setSize(((byte[]) e[1]).length);
                }
                t.putArchiveEntry(te);
                if (e[1] != null) t.write((byte[]) e[1]);
                t.closeArchiveEntry();
            }
        }
        return p;
    }

    private Path sentinel() {
        return tmp.resolve("escaped");
    }

    /** The entry name that leads from the extraction dir (a sibling of tmp under java.io.tmpdir) to the sentinel. */
    private String escapingName() {
        return "../" + tmp.getFileName() + "/escaped";
    }

    @Test
    void pathTraversalIsRefusedWithTheArchiveAndOffset() throws Exception {
        Path a = tar("t.tar", new Object[] {"checkpoint/inventory.img", inventory()}, new Object[] {"checkpoint/../" + escapingName(), new byte[] {1}});
        assertTrue(criu.canImport(a));
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> criu.importImage(a, TestImages.context(tmp.resolve("x.ckpt"))));
        assertTrue(e.getMessage().matches("\\Q" + a + "\\E: corrupt at offset \\d+: entry '.*' points outside the archive"), e.getMessage());
        assertFalse(Files.exists(sentinel()));
        assertFalse(Files.exists(tmp.resolve("x.ckpt")));
    }

    @Test
    void linksAreNeitherCreatedNorFollowed() throws Exception {
        Path a = tar("l.tar",
                new Object[] {"checkpoint/out", null, tmp.toString(), TarConstants.LF_SYMLINK},
                new Object[] {"checkpoint/out/escaped", new byte[] {1}},
                new Object[] {"passwd", null, "/etc/passwd", TarConstants.LF_LINK},
                new Object[] {"checkpoint/inventory.img", inventory()});
        Path out = tmp.resolve("x.ckpt");
        criu.importImage(a, TestImages.context(out));
        assertFalse(Files.exists(sentinel()));
        try (CkptReader r = CkptReader.open(out)) {
            // the file under the (not created) link is an ordinary image-dir file; the links are gone
            assertTrue(r.nativeNames().contains(CriuImporter.NATIVE_PREFIX + "out/escaped"), r.nativeNames().toString());
            assertFalse(r.attachments().containsKey(ContainerArchive.ATTACHMENT_PREFIX + "passwd"));
        }
    }

    @Test
    void inventoryThatIsALinkIsCorruption() throws Exception {
        Path a = tar("h.tar", new Object[] {"checkpoint/inventory.img", null, "/etc/passwd", TarConstants.LF_LINK});
        assertTrue(criu.canImport(a));
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> criu.importImage(a, TestImages.context(tmp.resolve("x.ckpt"))));
        assertTrue(e.getMessage().contains("no regular file checkpoint/inventory.img"), e.getMessage());
    }

    @Test
    void hugeDeclaredSizeOfATruncatedArchiveIsCorruption() throws Exception {
        Path a = tar("big.tar", new Object[] {"checkpoint/inventory.img", inventory()}, new Object[] {"checkpoint/pages-1.img", new byte[4096]});
        byte[] b = Files.readAllBytes(a);
        // the second header: declare 4 GiB - 1 of data (11 octal digits), fix its checksum, cut the data short
        int h = 1024;
        byte[] size = String.format("%011o\0", (4L << 30) - 1).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, b, h + 124, 12);
        java.util.Arrays.fill(b, h + 148, h + 156, (byte) ' ');
        long sum = 0;
        for (int i = h; i < h + 512; i++) sum += b[i] & 0xff;
        System.arraycopy(String.format("%06o\0 ", sum).getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, b, h + 148, 8);
        Files.write(a, java.util.Arrays.copyOf(b, h + 1024));
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> criu.importImage(a, TestImages.context(tmp.resolve("x.ckpt"))));
        assertEquals(a.toString(), e.resource());
        assertTrue(e.getMessage().contains("Truncated TAR archive"), e.getMessage());
    }
}
