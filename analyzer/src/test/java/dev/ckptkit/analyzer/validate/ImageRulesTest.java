package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.RandomImages;
import dev.ckptkit.io.table.MemoryAreaRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ChecksumRule and ReferenceRule's page check on written images (seeded RandomImages; the seed is the parameter). */
class ImageRulesTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42})
    void soundRandomImagesHaveNoIntegrityFinding(long seed) throws Exception {
        Path f = tmp.resolve("r.ckpt");
        RandomImages.write(RandomImages.model(seed, 20), f, 0, 1);
        try (CkptReader r = CkptReader.open(f)) {
            ValidationContext ctx = new ValidationContext(ImageFacts.load(r), r, null);
            assertEquals(List.of(), new ChecksumRule().check(ctx), "seed " + seed);
            assertEquals(List.of(), new ReferenceRule().check(ctx), "seed " + seed);
            assertEquals(List.of(), new AreaOverlapRule().check(ctx), "seed " + seed);
            assertEquals(List.of(), new ProcessTreeRule().check(ctx), "seed " + seed);
        }
    }

    @Test
    void flippedByteIsAChecksumFinding() throws Exception {
        Path f = tmp.resolve("r.ckpt");
        RandomImages.write(RandomImages.model(7, 20), f, 0, 1);
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x40; // inside the page data, far from header and directory
        Files.write(f, b);
        try (CkptReader r = CkptReader.open(f)) {
            List<Finding> out = new ChecksumRule().check(new ValidationContext(ImageFacts.load(r), r, null));
            assertEquals(java.util.Set.of("INTEGRITY_CHECKSUM"), codes(out));
            assertEquals(Severity.ERROR, out.get(0).severity());
        }
    }

    @Test
    void pagesOutsideEveryAreaAreReported() throws Exception {
        RandomImages.Model m = RandomImages.model(5, 20);
        assertTrue(m.pages().values().stream().anyMatch(p -> !p.isEmpty()), "seed 5 has pages");
        List<MemoryAreaRow> shrunk = new ArrayList<>();
        for (MemoryAreaRow a : m.areas()) {
            shrunk.add(new MemoryAreaRow(a.pid(), a.start(), a.start() + 4096, a.prot(), a.flags(), a.pgoff(), a.path(), a.kind(),
                    a.dev(), a.inode(), a.status()));
        }
        RandomImages.Model cut = new RandomImages.Model(m.processes(), m.threads(), shrunk, m.files(), m.fds(), m.pages(),
                m.natives(), m.attachments(), m.manifest());
        Path f = tmp.resolve("cut.ckpt");
        RandomImages.write(cut, f, 0, 1);
        long beyond = m.pages().values().stream().mapToLong(p -> p.size() > 1 ? p.size() - 1 : 0).sum();
        try (CkptReader r = CkptReader.open(f)) {
            List<Finding> out = new ReferenceRule().check(new ValidationContext(ImageFacts.load(r), r, null));
            assertTrue(beyond > 0);
            assertEquals(java.util.Set.of("REF_PAGE_AREA"), codes(out));
            assertTrue(out.get(0).object().startsWith("pid "), out.get(0).object());
        }
    }
}
