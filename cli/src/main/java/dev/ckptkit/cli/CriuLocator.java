package dev.ckptkit.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The criu binary ckpt uses: $CKPT_CRIU, else the project's private one (.tools/criu/bin/criu), else none. */
final class CriuLocator {
    private CriuLocator() {}

    static Path find() {
        String env = System.getenv("CKPT_CRIU");
        if (env != null && !env.isBlank()) return Path.of(env);
        for (String root : new String[] {System.getProperty("ckpt.root"), jarRoot()}) {
            if (root == null) continue;
            Path p = Path.of(root, ".tools", "criu", "bin", "criu");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** ROOT of a jar at ROOT/cli/lib/ckpt.jar (the launcher's layout). */
    private static String jarRoot() {
        try {
            Path jar = Path.of(CriuLocator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path lib = jar.getParent();
            return lib != null && lib.getParent() != null && lib.getParent().getParent() != null
                    ? lib.getParent().getParent().toString() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
