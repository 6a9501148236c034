package dev.ckptkit.cli;

import dev.ckptkit.backend.Progress;
import java.io.PrintWriter;

/** Draws progress on stderr when it is a terminal, at most ten times a second; silent otherwise. */
final class ProgressBar implements Progress, AutoCloseable {
    private final PrintWriter err;
    private final boolean enabled = System.console() != null && System.getenv("CI") == null;
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void update(String what, long done, long total) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && done < total) return;
        lastDraw = now;
        String line;
        if (total > 0) {
            int width = 30, filled = (int) Math.min(width, width * done / total);
            line = String.format("\r%-20.20s [%s%s] %3d%%", what, "#".repeat(filled), " ".repeat(width - filled), 100 * done / total);
        } else {
            line = String.format("\r%-20.20s %d", what, done);
        }
        err.print(line);
        err.flush();
        drawn = true;
    }

    @Override
    public void close() {
        if (drawn) {
            err.print("\r" + " ".repeat(60) + "\r");
            err.flush();
        }
    }
}
