package dev.ckptkit.backend.userspace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.ckptkit.backend.criu.XsaveLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The XSAVE layout the CRIU conversions assume for an area of this CPU's size is the one its CPUID reports: every
 * component the kernel saves here is where {@link XsaveLayout} looks for it. Runs on whatever CPU the tests run on
 * (AMD EPYC and Intel machines so far).
 */
class XsaveLayoutTest {
    @Test
    void componentsAreWhereThisCpuPutsThem() throws Exception {
        Assumptions.assumeTrue("amd64".equals(System.getProperty("os.arch")), "x86_64 only");
        Path exe = Workloads.compile("xsave_layout");
        Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", lines));
        int size = Integer.parseInt(lines.getFirst().split(" ")[1]);
        XsaveLayout layout = XsaveLayout.ofLength(size);
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(" ");
            int bit = Integer.parseInt(f[1]), offset = Integer.parseInt(f[2]), len = Integer.parseInt(f[3]);
            if (bit == 8 || bit > 9) continue;  // not user state CRIU carries (PT, ...)
            int[] c = layout.component(bit);
            assertNotNull(c, "component " + bit + " of a " + size + "-byte area (" + layout.name() + " layout)");
            assertArrayEquals(new int[] {offset, len}, c, "component " + bit + " in the " + layout.name() + " layout");
        }
    }
}
