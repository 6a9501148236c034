package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FileMtimeRuleTest {
    private static final long T = 1_700_000_000_123_456_789L;

    /** /usr/bin/app open (size 20000) and mapped, with the mtime the userspace backend records. */
    private static Fixture withMtimes() {
        Fixture f = Fixture.oneProcess();
        f.files.replaceAll(r -> r.path().equals("/usr/bin/app") ? r.withMtime(T) : r);
        f.areas.replaceAll(a -> "/usr/bin/app".equals(a.path()) ? a.withMtime(T) : a);
        return f;
    }

    private static HostProfile target(Fixture f, Long ms, Long ns, Long size) {
        List<HostProfile.NeededFile> have = new ArrayList<>();
        for (HostProfile.NeededFile n : f.matchingHost().files()) {
            have.add(n.path().equals("/usr/bin/app") ? new HostProfile.NeededFile(n.path(), true, "reg", size, ms, n.buildId(), ns) : n);
        }
        return f.matchingHost().withFiles(have);
    }

    @Test
    void sameTimeAtEveryPrecision() {
        Fixture f = withMtimes();
        assertEquals(List.of(), new FileMtimeRule().check(f.on(target(f, T / 1_000_000, T, 20_000L))));
        assertEquals(List.of(), new FileMtimeRule().check(f.on(target(f, T / 1_000_000, null, 20_000L))), "ms-only profile");
    }

    @Test
    void touchedFileOfTheSameSizeIsAWarning() {
        Fixture f = withMtimes();
        List<Finding> out = new FileMtimeRule().check(f.on(target(f, T / 1_000_000 + 5000, T + 5_000_000_000L, 20_000L)));
        assertEquals(Set.of("HOST_FILE_MTIME"), codes(out));
        assertEquals(Severity.WARNING, out.getFirst().severity());
        assertTrue(out.getFirst().explanation().contains("2023-11-14T22:13:20.123456789Z"), out.getFirst().explanation());
    }

    @Test
    void leftToNeededFilesRuleWhenSizeDiffersOrNoMtimeRecorded() {
        Fixture f = withMtimes();
        assertEquals(List.of(), new FileMtimeRule().check(f.on(target(f, 1L, 1L, 20_001L))), "HOST_FILE_SIZE's case");
        Fixture g = Fixture.oneProcess();
        assertEquals(List.of(), new FileMtimeRule().check(g.on(target(g, 1L, 1L, 20_000L))), "CRIU images have no mtime");
        assertEquals(List.of(), new FileMtimeRule().check(f.alone()));
    }
}
