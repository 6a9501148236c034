package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ckptkit.io.table.FileRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NeededFilesRuleTest {
    private static HostProfile files(HostProfile h, List<HostProfile.NeededFile> f) {
        return h.withFiles(f);
    }

    @Test
    void allPresentAsInTheImage() {
        Fixture f = Fixture.oneProcess();
        assertEquals(List.of(), new NeededFilesRule().check(f.on(f.matchingHost())));
    }

    @Test
    void missingResizedAndRetypedFilesAndAMissingDirectory() {
        Fixture f = Fixture.oneProcess();
        List<HostProfile.NeededFile> have = new ArrayList<>();
        for (HostProfile.NeededFile n : f.matchingHost().files()) {
            have.add(switch (n.path()) {
                case "/usr/bin/app" -> new HostProfile.NeededFile(n.path(), false, null, null, null, null);
                case "/usr/lib/libc.so.6" -> new HostProfile.NeededFile(n.path(), true, "reg", 1_900_001L, 0L, null);
                case "/srv/app" -> new HostProfile.NeededFile(n.path(), false, null, null, null, null);
                default -> n;
            });
        }
        List<Finding> out = new NeededFilesRule().check(f.on(files(f.matchingHost(), have)));
        assertEquals(Set.of("HOST_FILE_MISSING", "HOST_FILE_SIZE", "HOST_DIR_MISSING"), codes(out));
        have.replaceAll(n -> n.path().equals("/srv/app") ? new HostProfile.NeededFile(n.path(), true, "reg", 3L, 0L, null) : n);
        assertEquals(Set.of("HOST_FILE_MISSING", "HOST_FILE_SIZE", "HOST_FILE_TYPE"),
                codes(new NeededFilesRule().check(f.on(files(f.matchingHost(), have)))));
    }

    @Test
    void sameSizeOtherBuildId() {
        Fixture f = Fixture.oneProcess();
        f.files.replaceAll(r -> r.path().equals("/usr/bin/app") ? new FileRow(r.id(), r.type(), r.path(), r.flags(), r.pos(),
                r.size(), r.mode(), r.inode(), r.dev(), false, null, "90a0f5894e1c3b44") : r);
        assertEquals(List.of(), new NeededFilesRule().check(f.on(f.matchingHost())));
        List<HostProfile.NeededFile> have = new ArrayList<>(f.matchingHost().files());
        have.replaceAll(n -> n.path().equals("/usr/bin/app") ? new HostProfile.NeededFile(n.path(), true, "reg", n.size(), 0L, "ffa0f5894e1c3b44") : n);
        assertEquals(Set.of("HOST_FILE_BUILD_ID"), codes(new NeededFilesRule().check(f.on(files(f.matchingHost(), have)))));
        have.replaceAll(n -> n.path().equals("/usr/bin/app") ? new HostProfile.NeededFile(n.path(), true, "reg", n.size(), 0L, null) : n);
        assertEquals(Set.of("HOST_FILE_BUILD_ID_UNKNOWN"), codes(new NeededFilesRule().check(f.on(files(f.matchingHost(), have)))));
    }

    @Test
    void containerPathsAreNotHostPaths() {
        Fixture f = Fixture.oneProcess();
        f.mounts.add(new dev.ckptkit.io.table.MountRow(1, 0, "/", "/", "overlay", "overlay", "rw", null, 1L, false));
        List<Finding> out = new NeededFilesRule().check(f.on(files(f.matchingHost(), List.of())));
        assertEquals(Set.of("HOST_FILES_IN_CONTAINER"), codes(out));
        assertEquals(Severity.UNDECIDED, out.get(0).severity(), "the container's root file system is not on the host profile");
    }

    @Test
    void deletedFilesAndDevicesAreNotNeeded() {
        Fixture f = Fixture.oneProcess();
        f.files.add(new FileRow(20, "reg", "/srv/app/gone.txt", 2, 0L, 5L, null, null, null, true, null, null));
        f.file(21, "chr", "/dev/null", 0, null);
        assertEquals(List.of(), new NeededFilesRule().check(f.on(f.matchingHost())));
    }

    @Test
    void profileWithoutFilesIsUndecided() {
        Fixture f = Fixture.oneProcess();
        assertEquals(Set.of("HOST_FILES_UNKNOWN"), codes(new NeededFilesRule().check(f.on(files(f.matchingHost(), null)))));
        assertEquals(Set.of("HOST_FILE_UNKNOWN"), codes(new NeededFilesRule().check(f.on(files(f.matchingHost(), List.of())))));
    }
}
