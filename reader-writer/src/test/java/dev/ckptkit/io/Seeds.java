package dev.ckptkit.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeds for randomized property tests: fixed by default so builds are repeatable, a new random base with
 * {@code -Dtests.seed=random}, or one given with {@code -Dtests.seed=N}. A failing case prints how to reproduce it.
 */
public final class Seeds {
    private Seeds() {}

    public static List<Long> list(Class<?> test, int n) {
        String prop = System.getProperty("tests.seed");
        long base;
        if (prop == null) base = test.getName().hashCode();
        else if (prop.equals("random")) base = new Random().nextLong();
        else return List.of(Long.parseLong(prop));
        Random r = new Random(base);
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(r.nextLong() & Long.MAX_VALUE);
        return out;
    }

    public interface Body {
        void run() throws Exception;
    }

    public static void reproduceOnFailure(Class<?> test, long seed, Body body) throws Exception {
        try {
            body.run();
        } catch (Throwable t) {
            System.err.println("reproduce with: ./test.sh -pl reader-writer -Dtest=" + test.getSimpleName() + " -Dtests.seed=" + seed);
            throw t;
        }
    }
}
