package dev.ckptkit.backend.criu;

import static org.junit.jupiter.api.Assertions.fail;

import dev.ckptkit.backend.Backends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations (byte flips, truncations, appended garbage) of every file of a real image: the import either
 * succeeds or fails with an IOException carrying a message; never another exception, an OOM or a hang.
 */
class MutatedImagesTest {
    private static final long SEED = Long.getLong("tests.seed", 20261125L);

    @TempDir
    Path tmp;

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"tree", "memfile", "tcp"})
    void mutatedImagesFailCleanly(String image) throws Exception {
        Path dir = TestImages.criuDir(image, tmp.resolve("in"));
        Map<String, byte[]> orig = TestImages.files(dir);
        List<String> names = new ArrayList<>(orig.keySet().stream().filter(n -> !n.startsWith("pages-")).toList());
        Random rnd = new Random(SEED ^ image.hashCode());
        for (int round = 0; round < 150; round++) {
            String name = names.get(rnd.nextInt(names.size()));
            byte[] b = orig.get(name).clone();
            String how;
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    int n = 1 + rnd.nextInt(4);
                    for (int k = 0; k < n && b.length > 0; k++) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt();
                    how = "flip";
                }
                case 1 -> {
                    b = Arrays.copyOf(b, rnd.nextInt(Math.max(1, b.length)));
                    how = "truncate to " + b.length;
                }
                default -> {
                    byte[] tail = new byte[1 + rnd.nextInt(16)];
                    rnd.nextBytes(tail);
                    b = Arrays.copyOf(b, b.length + tail.length);
                    System.arraycopy(tail, 0, b, b.length - tail.length, tail.length);
                    how = "append";
                }
            }
            Files.write(dir.resolve(name), b);
            try {
                Backends.load().named("criu").importImage(dir, TestImages.context(tmp.resolve("m.ckpt")));
            } catch (IOException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) fail(name + " " + how + ": IOException without a message");
            } catch (RuntimeException | Error e) {
                throw new AssertionError("seed " + SEED + " round " + round + ": " + name + " " + how + ": " + e, e);
            } finally {
                Files.write(dir.resolve(name), orig.get(name));
            }
        }
    }
}
