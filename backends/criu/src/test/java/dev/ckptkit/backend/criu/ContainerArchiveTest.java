package dev.ckptkit.backend.criu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.Backends;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.Tables;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real Podman checkpoint archives (gzip and zstd): images imported, metadata kept as attachments, export exact. */
class ContainerArchiveTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"podman-sh.tar.gz", "podman-sh-zstd.tar.zst"})
    void podmanArchive(String name) throws Exception {
        Path archive = TestImages.testdata("podman/" + name);
        Backend b = Backends.load().named("criu");
        assertTrue(b.canImport(archive));
        Path ckpt = tmp.resolve("p.ckpt");
        b.importImage(archive, TestImages.context(ckpt));
        Path unpacked = tmp.resolve("unpacked");
        untar(archive, unpacked);
        try (CkptReader r = CkptReader.open(ckpt)) {
            List<ProcessRow> ps = r.table(Tables.PROCESSES);
            assertEquals(2, ps.size());
            assertEquals(1, ps.get(0).pid());
            assertEquals(1, ps.get(1).ppid(), "sleep is a child of the container's pid 1");
            assertEquals("sh", ps.get(0).comm());
            assertEquals("sleep", ps.get(1).comm());
            assertTrue(String.join(" ", ps.get(0).cmdline()).contains("CKPT-PODMAN-MARKER"), ps.get(0).cmdline().toString());
            Map<String, Long> att = r.attachments();
            for (String f : List.of("config.dump", "spec.dump", "rootfs-diff.tar", "network.status", "stats-dump", "devshm-checkpoint.tar")) {
                assertArrayEquals(Files.readAllBytes(unpacked.resolve(f)), r.readAttachment("container/" + f), f);
            }
            assertTrue(att.containsKey("container/ctr.log"), att.toString());
            assertTrue(new String(r.readAttachment("container/config.dump"), StandardCharsets.UTF_8).contains("podman-sh"));
            assertTrue(r.table(Tables.MOUNTS).size() > 5, "mountpoints-13.img decoded");
            assertTrue(r.table(Tables.NAMESPACES).stream().anyMatch(n -> n.type().equals("mnt")));
            assertEquals("b32369a66387", r.manifest().host().hostname(), "utsns nodename");
            // cgroup.img of a cgroup v1 (hybrid) host: the v1 controllers, name=systemd and "" (the v2 unified hierarchy)
            assertEquals(List.of("", "blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "name=systemd", "pids"),
                    r.manifest().host().cgroupControllers());
            assertEquals("none", r.manifest().host().lsm(), "inventory lsmtype NO_LSM");

            Path out = tmp.resolve("out");
            b.exportImage(r, out, ExportOptions.none());
            TestImages.assertSameFiles(unpacked.resolve("checkpoint"), out);

            // back to an archive: same files inside, same image when imported again
            Path again = tmp.resolve("again" + (name.endsWith(".zst") ? ".tar.zst" : ".tar.gz"));
            b.exportImage(r, again, ExportOptions.none());
            Path unpackedAgain = tmp.resolve("unpacked-again");
            untar(again, unpackedAgain);
            TestImages.assertSameFiles(unpacked, unpackedAgain);
            Path ckpt2 = tmp.resolve("again.ckpt");
            b.importImage(again, TestImages.context(ckpt2));
            try (CkptReader r2 = CkptReader.open(ckpt2)) {
                assertEquals(r.header().uuid(), r2.header().uuid(), "same identity: same UUID");
                assertEquals(r.table(Tables.PROCESSES), r2.table(Tables.PROCESSES));
            }
        }
    }

    private static void untar(Path archive, Path into) throws Exception {
        InputStream raw = Files.newInputStream(archive);
        InputStream in = archive.toString().endsWith(".zst") ? new ZstdInputStream(raw) : new GzipCompressorInputStream(raw);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (!e.isFile()) continue;
                Path t = into.resolve(e.getName());
                Files.createDirectories(t.getParent());
                Files.copy(tar, t, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
