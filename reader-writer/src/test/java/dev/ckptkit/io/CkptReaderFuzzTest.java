package dev.ckptkit.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ckptkit.io.manifest.ManifestCodec;
import dev.ckptkit.io.table.TableCodec;
import dev.ckptkit.io.table.Tables;
import org.apache.arrow.memory.RootAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzzes the reader: whatever the bytes, it either reads them or says they are corrupt or unsupported; any other
 * exception, an OOM or a hang is a finding. In a normal build the seed corpus in
 * src/test/resources/dev/ckptkit/io/CkptReaderFuzzTestInputs/fuzzReader runs as a regression test; to fuzz for real:
 * {@code JAZZER_FUZZ=1 ./test.sh -pl reader-writer -am -Dtest=CkptReaderFuzzTest -Djazzer.max_duration=10m}
 * (README, "Fuzzing").
 */
class CkptReaderFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void fuzzReader(byte[] data) throws IOException {
        Path f = Files.createTempFile("fuzz-", ".ckpt");
        try {
            Files.write(f, data);
            try (CkptReader r = CkptReader.open(f)) {
                r.verify();
                r.manifest();
                for (var t : Tables.STORED) r.table(t);
                PageStore ps = r.pages();
                byte[] buf = new byte[4096];
                for (long i = 0; i < Math.min(ps.size(), 64); i++) {
                    PageStore.Entry e = ps.entry(i);
                    ps.read(e.pid(), e.vaddr(), buf, 0);
                }
                for (String n : r.attachments().keySet()) r.readAttachment(n);
            } catch (CorruptImageException | UnsupportedImageException expected) {
                // the reader named the damage: what it should do
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /**
     * The parsers behind the section CRCs, fed directly: a hostile file can carry valid CRCs, so the Arrow table
     * decoder (seeds: real table payloads) must fail cleanly too, within a small allocator.
     */
    @FuzzTest(maxDuration = "30s")
    void fuzzTable(byte[] data) {
        RootAllocator alloc = new RootAllocator(64L << 20);
        try {
            for (TableCodec<?> t : List.of(Tables.PROCESSES, Tables.THREADS, Tables.MEMORY_AREAS)) {
                try {
                    t.decode(data, alloc, "fuzz", 0);
                } catch (CorruptImageException expected) {
                    // named as corrupt: fine
                }
            }
        } finally {
            TableCodec.closeQuietly(alloc);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void fuzzManifest(byte[] data) {
        try {
            new ManifestCodec().decode(data, "fuzz", 0);
        } catch (CorruptImageException expected) {
            // named as corrupt: fine
        }
    }
}
