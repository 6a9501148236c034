package dev.ckptkit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The columns and manifest members added in CKPT 1.2 are written and read back; older goldens read them as null. */
class Format12ColumnsTest {
    @TempDir
    Path tmp;

    @Test
    void newColumnsRoundTrip() throws Exception {
        var m = RandomImages.model(5, 3);
        List<ProcessRow> procs = m.processes().stream().map(p -> p.withTracer(p.pid() + 1).withLsmProfile("docker-default")).toList();
        List<FileRow> files = m.files().stream().map(f -> f.withMtime(1_700_000_000_123_456_789L).withTty(7, 8, 3)).toList();
        Manifest man = new Manifest(m.manifest().schema(), m.manifest().producer(), m.manifest().style(),
                m.manifest().host().withLsm("apparmor").withCgroupControllers(List.of("", "cpu", "name=systemd")),
                null, m.manifest().processTree(), null, m.manifest().labels());
        var areas = m.areas().stream().map(a -> a.withMtime(42L)).toList();
        var changed = new RandomImages.Model(procs, m.threads(), areas, files, m.fds(), m.pages(), m.natives(), m.attachments(), man);
        Path f = tmp.resolve("v12.ckpt");
        RandomImages.write(changed, f, 0, 1);
        try (CkptReader r = CkptReader.open(f)) {
            assertEquals(2, r.header().minor());
            assertEquals(procs, r.table(Tables.PROCESSES));
            assertEquals(files, r.table(Tables.FILES));
            assertEquals(areas, r.table(Tables.MEMORY_AREAS));
            assertEquals("apparmor", r.manifest().host().lsm());
            assertEquals(List.of("", "cpu", "name=systemd"), r.manifest().host().cgroupControllers());
        }
    }

    @Test
    void olderGoldensReadNewColumnsAsNull() throws Exception {
        try (Stream<Path> s = Files.list(GoldenFilesTest.goldenDir())) {
            for (Path g : s.filter(p -> p.getFileName().toString().matches("v1\\.[01]-.*\\.ckpt")).toList()) {
                try (CkptReader r = CkptReader.open(g)) {
                    for (ProcessRow p : r.table(Tables.PROCESSES)) {
                        assertNull(p.tracerPid(), g.toString());
                        assertNull(p.lsmProfile(), g.toString());
                    }
                    for (FileRow fr : r.table(Tables.FILES)) {
                        assertNull(fr.mtime(), g.toString());
                        assertNull(fr.ttySid(), g.toString());
                        assertNull(fr.ttyIndex(), g.toString());
                    }
                    for (var a : r.table(Tables.MEMORY_AREAS)) assertNull(a.mtime(), g.toString());
                    assertNull(r.manifest().host().cgroupControllers(), g.toString());
                }
            }
        }
    }
}
