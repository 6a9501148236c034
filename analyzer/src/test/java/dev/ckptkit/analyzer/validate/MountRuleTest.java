package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ckptkit.io.table.MountRow;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MountRuleTest {
    @Test
    void externalBindMountMustExistOnTarget() {
        Fixture f = Fixture.oneProcess();
        f.mounts.add(new MountRow(1, 0, "/", "/", "overlay", "overlay", "rw", null, 1L, false));
        f.mounts.add(new MountRow(2, 1, "/data", "/", "ext4", "/srv/volumes/data", "rw", null, 1L, true));
        assertEquals(Set.of("HOST_MOUNT_MISSING"), codes(new MountRule().check(f.on(f.matchingHost()))));
        HostProfile h = f.matchingHost();
        HostProfile withVolume = new HostProfile(h.schema(), h.hostname(), h.kernel(), h.arch(), h.pageSize(), h.cpu(), h.xsave(),
                h.vdsoSize(), h.pidMax(), h.pidsInUse(), h.memAvailable(),
                List.of(new HostProfile.Mount("/", "ext4", "/dev/vda"), new HostProfile.Mount("/srv/volumes/data", "ext4", "/dev/vdb")),
                h.cgroupVersion(), h.capEff(), h.lsm(), h.users(), h.groups(), h.listeningPorts(), h.files());
        assertEquals(List.of(), new MountRule().check(f.on(withVolume)));
    }

    @Test
    void externalMountKnownOnlyByDeviceMustBeMappedAtRestore() {
        Fixture f = Fixture.oneProcess();
        f.mounts.add(new MountRow(3, 1, "/etc/hosts", "/containers/abc/hosts", "ext4", "/dev/vda", "rw", null, 1L, true));
        assertEquals(Set.of("HOST_MOUNT_EXTERNAL"), codes(new MountRule().check(f.on(f.matchingHost()))));
    }
}
