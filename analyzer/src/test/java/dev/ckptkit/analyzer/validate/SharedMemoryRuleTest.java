package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SharedMemoryRuleTest {
    @Test
    void readOnlySharedMappingsAndReadOnlyFilesAreFine() {
        Fixture f = Fixture.oneProcess();
        f.area(100, 0x7f10_0000_0000L, 0x7f10_0000_1000L, 1, 1, "/usr/lib/gconv/gconv-modules.cache", "file");
        f.file(10, "reg", "/srv/app/data.txt", 0, 51L);
        assertEquals(List.of(), new SharedMemoryRule().check(f.alone()));
    }

    @Test
    void writableSharedMappingSysvAndFileOpenForWriting() {
        Fixture f = Fixture.oneProcess();
        f.area(100, 0x7f10_0000_0000L, 0x7f10_0000_1000L, 3, 1, "/srv/app/db", "file");
        f.area(100, 0x7f20_0000_0000L, 0x7f20_0000_1000L, 3, 1, "/SYSV00000000", "shmem");
        f.file(10, "reg", "/srv/app/log", 2, 10L);
        f.fd(100, 5, 10);
        assertEquals(Set.of("LEAK_SHARED_MAPPING", "LEAK_SYSV_SHM", "LEAK_SHARED_FILE"), codes(new SharedMemoryRule().check(f.alone())));
    }
}
