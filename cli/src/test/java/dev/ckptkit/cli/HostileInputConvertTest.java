package dev.ckptkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worst inputs the backend fuzzers found (kept as seeds in the backends' *FuzzTestInputs corpora), through
 * {@code ckpt convert BAD -o x.ckpt}: one line naming the file and the offset, exit 2, no stack trace, no output.
 */
class HostileInputConvertTest {
    @TempDir
    Path tmp;

    private static Path seed(String backend, String corpus, String name) {
        return CliRunner.root().resolve("backends/" + backend + "/src/test/resources/dev/ckptkit/backend/" + backend + "/" + corpus + "/" + name);
    }

    private void convertFails(Path input, String expected) {
        Path out = tmp.resolve("x.ckpt");
        CliRunner r = CliRunner.run("convert", input.toString(), "-o", out.toString());
        assertEquals(ExitCodes.TROUBLE, r.exit(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("ckpt: " + input), r.err());
        assertTrue(r.err().matches("ckpt: \\S+: corrupt at offset \\d+: .*\\Q" + expected + "\\E.*\n"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void pagemapClaimingTerabytesOfAbsentPages() throws Exception {
        InspectRealImagesTest.untar(CliRunner.root().resolve("testdata/criu/tcp.tar.gz"), tmp);
        Path dir = tmp.resolve("tcp");
        Files.copy(seed("criu", "CriuFuzzTestInputs/fuzzImageFile", "tcp-pagemap-absent-2e40.img"), dir.resolve("pagemap-28715.img"),
                StandardCopyOption.REPLACE_EXISTING);
        convertFails(dir, "entry 12: 1099511627776 pages at 0x7fff00000000 lie outside the memory areas of mm-28715.img");
    }

    @Test
    void archiveEntryEscapingTheExtractionDir() {
        convertFails(seed("criu", "CriuFuzzTestInputs/fuzzArchive", "traversal.tar"), "entry '../../ckpt-fuzz-escaped' points outside the archive");
        assertFalse(Files.exists(Path.of(System.getProperty("java.io.tmpdir")).getParent().resolve("ckpt-fuzz-escaped")));
    }

    @Test
    void archiveWithAFileWhereAnEarlierEntryMadeADirectory() {
        convertFails(seed("criu", "CriuFuzzTestInputs/fuzzArchive", "crash-file-over-directory.tar.gz"), "clashes with an earlier entry");
    }

    @Test
    void archiveWhoseInventoryIsAHardLink() {
        convertFails(seed("criu", "CriuFuzzTestInputs/fuzzArchive", "hardlink-out.tar"), "no regular file checkpoint/inventory.img");
    }

    @Test
    void archiveDeclaringFourGibibytesItDoesNotHave() {
        convertFails(seed("criu", "CriuFuzzTestInputs/fuzzArchive", "huge-size.tar"), "Truncated TAR archive");
    }

    @Test
    void libckptStreamWhosePageCountOverflowsItsFrame() {
        // 2^52 + 1 pages in a frame of one page: n * 4096 wrapped around to the frame's length
        convertFails(seed("userspace", "UserspaceFuzzTestInputs/fuzzStream", "pages-count-overflow.stream"), "bad page run");
    }
}
