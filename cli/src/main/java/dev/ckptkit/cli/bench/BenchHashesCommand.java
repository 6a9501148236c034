package dev.ckptkit.cli.bench;

import java.io.PrintWriter;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.Callable;
import dev.ckptkit.io.PageHasher;
import java.util.zip.CRC32C;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The measurement behind the page hash choice (SPEC.md section 4): per-page hashing speed of the candidates. */
@Command(name = "hashes", mixinStandardHelpOptions = true, description = "Per-page hash throughput of SHA-256 (chosen), SHA-1, MD5, SHA3-256 and CRC32C.")
public final class BenchHashesCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--mib", defaultValue = "512", description = "Data hashed per algorithm (default ${DEFAULT-VALUE}).")
    int mib;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        byte[] data = new byte[64 << 20];
        new Random(1).nextBytes(data);
        long bytes = (long) mib << 20;
        for (String alg : new String[] {"SHA-256", "SHA-1", "MD5", "SHA3-256"}) {
            MessageDigest md = MessageDigest.getInstance(alg);
            hashAll(md, data, 16L << 20);  // warm up the JIT and intrinsics
            double t = Measure.best(3, () -> hashAll(md, data, bytes));
            out.printf("%-9s %8s  (%d-byte digest, collision resistant: %s)%n", alg, Measure.rate(bytes, t),
                    md.getDigestLength(), alg.equals("SHA-256") || alg.equals("SHA3-256") ? "yes" : "no (broken)");
        }
        try (PageHasher h = PageHasher.create()) {
            byte[] digest = new byte[PageHasher.LENGTH];
            java.lang.foreign.MemorySegment all = java.lang.foreign.MemorySegment.ofArray(data);
            Measure.Body run = () -> {
                for (long done = 0; done < bytes; done += 4096) h.hash(all.asSlice(done % data.length, 4096), digest, 0);
            };
            run.run();  // warm up
            double t = Measure.best(3, run);
            out.printf("%-9s %8s  (SHA-256 as the writer computes it, %s)%n", "SHA-256*", Measure.rate(bytes, t),
                    h.implementation().equals("openssl") ? "OpenSSL libcrypto through FFM" : "no libcrypto here: the JDK's");
        }
        CRC32C c = new CRC32C();
        double t = Measure.best(3, () -> {
            for (long done = 0; done < bytes; done += 4096) {
                c.reset();
                c.update(data, (int) (done % data.length), 4096);
            }
        });
        out.printf("%-9s %8s  (4-byte checksum, not a content hash)%n", "CRC32C", Measure.rate(bytes, t));
        return 0;
    }

    private static void hashAll(MessageDigest md, byte[] data, long bytes) {
        for (long done = 0; done < bytes; done += 4096) {
            md.update(data, (int) (done % data.length), 4096);
            md.digest();
        }
    }
}
