package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.analyzer.inspect.SyntheticImage;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.manifest.Manifest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParentImageRuleTest {
    @TempDir
    Path tmp;

    private static ValidationContext facts(long absent, Manifest.Parent parent) {
        ImageFacts base = Fixture.oneProcess().facts();
        Manifest m = new Manifest(1, base.manifest().producer(), "kernel", base.manifest().host(), null, null,
                new Manifest.Counts(100, 10, absent, 80, 0, Map.of(), 0, 0), null, parent);
        return new ValidationContext(new ImageFacts(m, base.processes(), base.threads(), base.areas(), base.files(), base.fds(),
                base.pipes(), base.sockets(), base.mounts(), base.namespaces()), null, null);
    }

    @Test
    void aFullImageHasNoFinding() throws Exception {
        assertEquals(List.of(), new ParentImageRule().check(facts(0, null)));
    }

    @Test
    void absentPagesNeedTheParentNamedByUuidAndPath() throws Exception {
        List<Finding> f = new ParentImageRule().check(facts(90, new Manifest.Parent("1b4e28ba-2fa1-11d2-883f-0016d3cca427", "base.ckpt")));
        assertEquals(Set.of("INCREMENTAL_PARENT_NEEDED"), codes(f));
        assertEquals(Severity.ERROR, f.getFirst().severity());
        assertTrue(f.getFirst().explanation().startsWith("90 pages are in parent image 1b4e28ba-2fa1-11d2-883f-0016d3cca427 (path hint base.ckpt)"),
                f.getFirst().explanation());
        assertTrue(f.getFirst().remedy().contains("--flatten"), f.getFirst().remedy());
    }

    @Test
    void aNamedParentWithoutAbsentPagesIsANote() throws Exception {
        List<Finding> f = new ParentImageRule().check(facts(0, new Manifest.Parent(null, "../1")));
        assertEquals(Set.of("INCREMENTAL_PARENT_NAMED"), codes(f));
        assertEquals(Severity.INFO, f.getFirst().severity());
    }

    /** From the page index itself: the synthetic image has one absent page, of its shell process. */
    @Test
    void thePageIndexNamesThePids() throws Exception {
        Path img = tmp.resolve("s.ckpt");
        SyntheticImage.write(img, 1 << 16, 0);
        try (CkptReader r = CkptReader.open(img)) {
            List<Finding> f = new ParentImageRule().check(new ValidationContext(ImageFacts.load(r), r, null));
            assertEquals(Set.of("INCREMENTAL_PARENT_NEEDED"), codes(f));
            assertTrue(f.getFirst().explanation().startsWith("1 pages (pid " + SyntheticImage.SHELL + ") are in its parent image (not named"),
                    f.getFirst().explanation());
        }
    }
}
