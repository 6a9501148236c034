package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.PageStore;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits the dumped memory of some processes into pieces for parallel scanning: runs of consecutive index
 * entries with consecutive addresses and content (zero pages included, absent pages excluded), cut at
 * {@link #MAX_PAGES}. Only the index is read.
 */
public final class Pieces {
    private Pieces() {}

    /** Pages per piece: 1 MiB keeps per-piece results small and both cores busy. */
    public static final int MAX_PAGES = 256;

    /** Entries [firstEntry, firstEntry + pages) of {@code pid}, whose entries are [pidFrom, pidTo). */
    public record Piece(int pid, long firstEntry, int pages, long vaddr, long pidFrom, long pidTo) {}

    /** Receives pieces in pid, address order. */
    public interface Sink {
        void accept(Piece p) throws IOException;
    }

    public static void forEach(PageStore ps, Set<Integer> pids, Sink sink) throws IOException {
        for (int pid : pids) {
            long[] r = ps.range(pid);
            long i = r[0];
            while (i < r[1]) {
                if (ps.pageAt(i) == CkptFormat.PAGE_ABSENT) {
                    i++;
                    continue;
                }
                long first = i, va = ps.vaddrAt(i);
                int n = 1;
                i++;
                while (i < r[1] && n < MAX_PAGES && ps.vaddrAt(i) == va + (long) n * CkptFormat.PAGE_SIZE
                        && ps.pageAt(i) != CkptFormat.PAGE_ABSENT) {
                    n++;
                    i++;
                }
                sink.accept(new Piece(pid, first, n, va, r[0], r[1]));
            }
        }
    }

    public static List<Piece> list(PageStore ps, Set<Integer> pids) throws IOException {
        List<Piece> out = new ArrayList<>();
        forEach(ps, pids, out::add);
        return out;
    }
}
