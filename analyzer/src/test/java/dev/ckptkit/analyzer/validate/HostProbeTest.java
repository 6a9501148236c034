package dev.ckptkit.analyzer.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostProbeTest {
    @TempDir
    Path root;

    private void put(String rel, String content) throws Exception {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void readsAFakeProcSysEtcTree() throws Exception {
        put("proc/sys/kernel/osrelease", "6.1.0-test\n");
        put("proc/sys/kernel/hostname", "target1\n");
        put("proc/sys/kernel/pid_max", "4194304\n");
        put("proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: Test CPU\nflags\t\t: fpu sse sse2 xsave avx avx2\n");
        put("proc/meminfo", "MemTotal:       1000 kB\nMemAvailable:     512 kB\n");
        put("proc/self/status", "Name:\tjava\nCapEff:\t000001ffffffffff\n");
        put("proc/self/maps", "7ffd1000-7ffd3000 r-xp 00000000 00:00 0                          [vdso]\n");
        put("proc/self/smaps", "KernelPageSize:        4 kB\n");
        put("proc/self/mountinfo", "22 1 0:21 / / rw - ext4 /dev/vda rw\n30 22 0:30 / /mnt/with\\040space rw - tmpfs none rw\n");
        put("proc/net/tcp", "  sl  local_address rem_address   st\n   0: 0100007F:B799 00000000:0000 0A 0\n   1: 0100007F:0016 0100007F:C000 01 0\n");
        put("proc/net/tcp6", "  sl  local_address rem_address   st\n   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 0\n");
        put("proc/4242/task/4243/stat", "x");
        put("proc/4242/stat", "x");
        put("etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        put("etc/group", "root:x:0:\napp:x:1000:\n");
        put("sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
        put("sys/kernel/security/lsm", "capability,apparmor");
        put("srv/data.txt", "12345");
        put("sys/kernel/security/apparmor/profiles", "docker-default (enforce)\n/usr/sbin/cupsd (complain)\n");

        HostProbe probe = new HostProbe(root, null);
        HostProfile p = probe.probe();
        assertEquals("6.1.0-test", p.kernel().release());
        assertNull(p.kernel().criuCheck());
        assertEquals("target1", p.hostname());
        assertEquals(4096, p.pageSize());
        assertEquals("AuthenticAMD", p.cpu().vendor());
        assertEquals(0b111, p.xsave().features());
        assertEquals(832, p.xsave().size());
        assertEquals("cpuinfo-flags", p.xsave().source());
        assertEquals(0x2000L, p.vdsoSize());
        assertEquals(4194304, p.pidMax());
        assertEquals(List.of(4242, 4243), p.pidsInUse());
        assertEquals(512 * 1024L, p.memAvailable());
        assertEquals("/mnt/with space", p.mounts().get(1).mountpoint());
        assertEquals("2", p.cgroupVersion());
        assertEquals(0x1ffffffffffL, p.capEff());
        assertEquals(List.of("capability", "apparmor"), p.lsm());
        assertEquals("apparmor", p.lsmType(), "CRIU's test: /sys/kernel/security/apparmor exists");
        assertEquals(List.of("docker-default", "/usr/sbin/cupsd"), p.apparmorProfiles());
        assertEquals(1000L, p.users().get("app"));
        assertEquals(List.of(new HostProfile.ListeningPort("tcp", "127.0.0.1", 47001), new HostProfile.ListeningPort("tcp", "::", 80)),
                p.listeningPorts());

        List<HostProfile.NeededFile> files = probe.files(List.of("/srv/data.txt", "/srv/gone", "/srv"));
        assertEquals(5L, files.get(0).size());
        assertTrue(files.get(0).exists());
        assertNotNull(files.get(0).mtime());
        java.nio.file.attribute.FileTime t = Files.getLastModifiedTime(root.resolve("srv/data.txt"));
        assertEquals(t.to(java.util.concurrent.TimeUnit.NANOSECONDS), files.get(0).mtimeNs());
        assertEquals(t.toMillis(), files.get(0).mtime());
        assertFalse(files.get(1).exists());
        assertEquals("dir", files.get(2).type());
    }

    @Test
    void noSecurityFsMeansNoLsmForCriu() {
        HostProfile p = new HostProbe(root, null).probe();
        assertEquals("none", p.lsmType());
        assertNull(p.apparmorProfiles());
    }

    @Test
    void thisHostAsFarAsItCanBeRead() {
        HostProfile p = new HostProbe(Path.of("/"), null).probe();
        assertNotNull(p.kernel().release());
        assertTrue(p.pidsInUse().contains((int) ProcessHandle.current().pid()));
        assertTrue(p.pageSize() >= 4096);
    }
}
