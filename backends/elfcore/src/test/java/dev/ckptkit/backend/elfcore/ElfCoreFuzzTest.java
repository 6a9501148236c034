package dev.ckptkit.backend.elfcore;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.UnsupportedImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the ELF core parser through a whole import (ELF header, program headers, every note the importer reads:
 * NT_PRSTATUS, NT_PRPSINFO, NT_FPREGSET, NT_X86_XSTATE, NT_FILE, NT_AUXV, NT_SIGINFO; the mapped ELF headers and the
 * stack found through them): whatever the bytes, the import succeeds or throws {@link CorruptImageException} /
 * {@link UnsupportedImageException}; any other exception, an OOM or a hang is a finding. Seeds
 * (src/test/resources/dev/ckptkit/backend/elfcore/ElfCoreFuzzTestInputs/fuzzCore) are the real gcore and kernel
 * cores of testdata/elfcore with their segment data cut to one page, notes intact. To fuzz for real:
 * {@code JAZZER_FUZZ=1 ./test.sh -pl backends/elfcore -am -Dtest=ElfCoreFuzzTest -Djazzer.max_duration=5m}
 * (README, "Fuzzing").
 */
class ElfCoreFuzzTest {
    @TempDir
    static Path tmp;

    @FuzzTest(maxDuration = "30s")
    void fuzzCore(byte[] data) throws IOException {
        Path core = tmp.resolve("fuzz.core"), out = tmp.resolve("fuzz.ckpt");
        Files.write(core, data);
        try {
            ElfCoreBackend b = new ElfCoreBackend();
            b.canImport(core); // the sniffing must not fail either; the import runs anyway, to reach the header checks
            b.importImage(core, CoreTestData.context(out));
        } catch (CorruptImageException | UnsupportedImageException expected) {
            if (expected.getMessage().lines().count() != 1) throw new AssertionError("not one line: " + expected.getMessage(), expected);
        } finally {
            Files.deleteIfExists(core);
            Files.deleteIfExists(out);
        }
    }
}
