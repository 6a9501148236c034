package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ckptkit.io.table.FileRow;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UserspaceRuleTest {
    @Test
    void kernelImagesAreNotConcerned() {
        Fixture f = Fixture.oneProcess();
        f.socket(12, "inet", 6, "ESTABLISHED", "10.0.0.5:40000", "10.0.0.9:5432", 3L, null);
        assertEquals(List.of(), new UserspaceRule().check(f.alone()));
    }

    @Test
    void whatAUserspaceImageCannotRestore() {
        Fixture f = Fixture.oneProcess();
        f.style = "userspace";
        assertEquals(Set.of("USERSPACE_SCOPE"), codes(new UserspaceRule().check(f.alone())));
        f.socket(12, "inet", 6, "ESTABLISHED", "10.0.0.5:40000", "10.0.0.9:5432", 3L, null);
        f.files.add(new FileRow(20, "reg", "/tmp/scratch", 2, 0L, 5L, null, null, null, true, null, null));
        assertEquals(Set.of("USERSPACE_SCOPE", "USERSPACE_EXTERNAL_CONNECTION", "USERSPACE_DELETED_FILE"),
                codes(new UserspaceRule().check(f.alone())));
    }
}
