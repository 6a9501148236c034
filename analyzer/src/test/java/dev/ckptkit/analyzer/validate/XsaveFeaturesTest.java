package dev.ckptkit.analyzer.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class XsaveFeaturesTest {
    @Test
    void componentsAndSizesFromCpuinfoFlags() {
        assertEquals(0, XsaveFeatures.fromFlags(List.of("fpu", "sse", "avx")), "no xsave flag, no xsave");
        long avx2 = XsaveFeatures.fromFlags(List.of("fpu", "sse", "xsave", "avx", "avx2"));
        assertEquals(0b111, avx2);
        assertEquals(832, XsaveFeatures.size(avx2)); // the architectural size for x87|SSE|AVX
        long avx512 = XsaveFeatures.fromFlags(List.of("fpu", "sse", "xsave", "avx", "avx512f", "ospke"));
        assertEquals(0x2e7, avx512);
        assertEquals(2696, XsaveFeatures.size(avx512)); // PKRU ends at 2688 + 8
    }
}
