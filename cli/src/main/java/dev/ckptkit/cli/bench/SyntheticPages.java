package dev.ckptkit.cli.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Page data in the proportions of ../shared/tools/make-large-image.sh (40% random, 30% text-like, 20% copies of
 * earlier pages, 10% zero), deterministic, so synthetic and real benchmarks are comparable.
 */
final class SyntheticPages {
    private SyntheticPages() {}

    static void write(Path out, long pages) throws IOException {
        byte[] page = new byte[4096];
        long x = 88172645463325252L;
        try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 20);
             java.nio.channels.FileChannel reread = java.nio.channels.FileChannel.open(out, java.nio.file.StandardOpenOption.READ)) {
            for (long i = 0; i < pages; i++) {
                int k = (int) (i % 10);
                if (k < 4) {
                    for (int j = 0; j < 4096; j += 8) {
                        x ^= x << 13; x ^= x >>> 7; x ^= x << 17;
                        for (int b = 0; b < 8; b++) page[j + b] = (byte) (x >>> (8 * b));
                    }
                } else if (k < 7) {
                    int j = 0;
                    while (j < 4096) {
                        byte[] rec = ("record " + i + " user" + (j % 97) + " /var/lib/app/" + (i % 13) + " ok\n").getBytes(StandardCharsets.US_ASCII);
                        int n = Math.min(rec.length, 4096 - j);
                        System.arraycopy(rec, 0, page, j, n);
                        j += n;
                    }
                } else if (k < 9 && i > 16) {
                    os.flush();
                    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(page);
                    reread.read(bb, (i / 2) * 4096);
                } else {
                    java.util.Arrays.fill(page, (byte) 0);
                }
                os.write(page);
            }
        }
    }
}
