package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AreaOverlapRuleTest {
    @Test
    void adjacentAreasAndOtherProcessesDoNotOverlap() {
        Fixture f = Fixture.oneProcess();
        f.process(101, 100, 100, 100);
        f.area(101, 0x5500_0000_0000L, 0x5500_0000_4000L, 3, 0x22, null, "anon"); // same range, other process
        f.area(100, 0x5500_0000_4000L, 0x5500_0000_8000L, 3, 0x22, null, "anon"); // adjacent
        assertEquals(List.of(), new AreaOverlapRule().check(f.alone()));
    }

    @Test
    void overlappingAndEmptyAreas() {
        Fixture f = Fixture.oneProcess();
        f.area(100, 0x5500_0000_2000L, 0x5500_0000_6000L, 3, 0x22, null, "anon");
        f.area(100, 0x6000, 0x6000, 3, 0x22, null, "anon");
        assertEquals(Set.of("AREA_OVERLAP", "AREA_EMPTY"), codes(new AreaOverlapRule().check(f.alone())));
    }

    @Test
    void highHalfAddressesCompareUnsigned() {
        Fixture f = Fixture.oneProcess();
        f.area(100, 0xffffffffff600000L, 0xffffffffff601000L, 4, 0x22, null, "vsyscall");
        assertEquals(List.of(), new AreaOverlapRule().check(f.alone()));
    }
}
