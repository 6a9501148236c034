package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.PageStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a per-piece scanner on worker threads and hands the results to the caller's thread in piece order, with a
 * bounded number of pieces in flight, so output order is deterministic and memory stays constant however large the
 * image is.
 */
public final class ParallelScan {
    /** Scans one loaded window; returns hits that start in [start, end), by address. */
    public interface Scanner<H> {
        List<H> scan(Window w) throws IOException;
    }

    /** Receives hits in pid, address order. */
    public interface Sink<H> {
        void accept(H hit) throws IOException;
    }

    private final PageStore pages;
    private final int threads;
    private final int lookbehindPages;
    private final int maxWindowBytes;

    /**
     * @param lookbehindPages contiguous pages to load before each piece (for context before a hit)
     * @param maxWindowBytes  how far a window may grow to finish a hit that starts in its piece
     */
    public ParallelScan(PageStore pages, int threads, int lookbehindPages, int maxWindowBytes) {
        this.pages = pages;
        this.threads = Math.max(1, threads);
        this.lookbehindPages = lookbehindPages;
        this.maxWindowBytes = maxWindowBytes;
    }

    public <H> void run(Set<Integer> pids, Scanner<H> scanner, Sink<H> sink) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ckpt-scan");
            t.setDaemon(true);
            return t;
        });
        ThreadLocal<Window> windows = ThreadLocal.withInitial(() -> new Window(pages, maxWindowBytes));
        ArrayDeque<Future<List<H>>> inFlight = new ArrayDeque<>();
        int max = threads * 2 + 1;  // pieces in flight: enough to keep every worker busy, few enough to bound memory
        try {
            Pieces.forEach(pages, pids, p -> {
                inFlight.add(pool.submit(() -> {
                    Window w = windows.get();
                    w.load(p, lookbehindPages);
                    return scanner.scan(w);
                }));
                while (inFlight.size() >= max) drain(inFlight.poll(), sink);
            });
            while (!inFlight.isEmpty()) drain(inFlight.poll(), sink);
        } finally {
            for (Future<List<H>> f : inFlight) f.cancel(true);
            pool.shutdownNow();
        }
    }

    private static <H> void drain(Future<List<H>> f, Sink<H> sink) throws IOException {
        List<H> hits;
        try {
            hits = f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof UncheckedIOException u) throw u.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IOException(c);
        }
        for (H h : hits) sink.accept(h);
    }
}
