package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code strings(1)} over the dumped memory of processes: runs of at least {@code minLength} printable characters
 * (GNU strings' set: 0x20-0x7e and tab), in ASCII and/or UTF-16LE (a printable byte followed by a zero byte, at
 * either alignment). Strings run across page boundaries within contiguous dumped pages; a gap or absent page ends
 * them. Hits come in pid, address order with the memory area that holds them. A string longer than 16 MiB is cut
 * there (its continuation is not reported).
 */
public final class Strings {
    public enum Encoding {
        ASCII(1), UTF16LE(2);

        private final int bytesPerChar;

        Encoding(int b) { this.bytesPerChar = b; }

        public int bytesPerChar() { return bytesPerChar; }
    }

    /** Longest string a worker follows past its piece before cutting it (keeps memory bounded). */
    static final int MAX_WINDOW = 16 << 20;

    private static final boolean[] PRINTABLE = new boolean[256];

    static {
        for (int c = 0x20; c <= 0x7e; c++) PRINTABLE[c] = true;
        PRINTABLE['\t'] = true;
    }

    private final CkptReader reader;
    private final int minLength;
    private final Set<Encoding> encodings;
    private final int threads;

    public Strings(CkptReader reader, int minLength, Set<Encoding> encodings, int threads) {
        if (minLength < 1) throw new IllegalArgumentException("minimum length must be at least 1");
        if (encodings.isEmpty()) throw new IllegalArgumentException("no encoding selected");
        this.reader = reader;
        this.minLength = minLength;
        this.encodings = EnumSet.copyOf(encodings);
        this.threads = threads;
    }

    public void run(Set<Integer> pids, ParallelScan.Sink<StringHit> sink) throws IOException {
        run(pids, h -> h, sink);
    }

    /**
     * Runs the scan; {@code render} runs on the worker threads (so formatting millions of hits uses every core) and
     * {@code sink} gets its results in pid, address order on the caller's thread.
     */
    public <R> void run(Set<Integer> pids, Function<StringHit, R> render, ParallelScan.Sink<R> sink) throws IOException {
        runPieces(pids, hits -> {
            List<R> out = new ArrayList<>(hits.size());
            for (StringHit h : hits) out.add(render.apply(h));
            return out;
        }, rendered -> {
            for (R r : rendered) sink.accept(r);
        });
    }

    /**
     * Runs the scan and hands each 1 MiB piece's hits (in address order) to {@code perPiece} on a worker thread; its
     * results reach {@code sink} in pid, address order. The cheapest way to print millions of hits: render a piece
     * into one string on the worker, write it once on the caller's thread.
     */
    public <R> void runPieces(Set<Integer> pids, Function<List<StringHit>, R> perPiece, ParallelScan.Sink<R> sink) throws IOException {
        Areas areas = new Areas(reader.table(Tables.MEMORY_AREAS));
        // one page of look-behind: a string running into the piece from the page before belongs to the piece before
        new ParallelScan(reader.pages(), threads, 1, MAX_WINDOW).run(pids, w -> List.of(perPiece.apply(scan(w, areas))), sink);
    }

    /** The strings starting in the window's piece, by address, with their areas. */
    List<StringHit> scan(Window w, Areas areas) throws IOException {
        List<StringHit> hits = scan(w);
        Areas.Cursor c = areas.cursor(w.pid());
        List<StringHit> out = new ArrayList<>(hits.size());
        for (StringHit h : hits) out.add(h.withArea(c.find(h.address())));
        return out;
    }

    List<StringHit> scan(Window w) throws IOException {
        List<StringHit> out = new ArrayList<>();
        if (encodings.contains(Encoding.ASCII)) ascii(w, out);
        if (encodings.contains(Encoding.UTF16LE)) {
            utf16(w, 0, out);
            utf16(w, 1, out);
        }
        if (encodings.size() > 1) out.sort(Comparator.comparingLong(StringHit::address));
        return out;
    }

    private void ascii(Window w, List<StringHit> out) throws IOException {
        byte[] b = w.bytes();
        int len = w.length(), end = w.end(), i = w.start();
        boolean[] p = PRINTABLE;
        while (i < end) {
            while (i < end && !p[b[i] & 0xff]) i++;
            if (i >= end) break;
            int s = i;
            while (true) {
                while (i < len && p[b[i] & 0xff]) i++;
                if (i < len || !w.extend()) break;
                b = w.bytes();
                len = w.length();
            }
            boolean tail = s == w.start() && s > 0 && p[b[s - 1] & 0xff];  // the piece before reports this string
            if (i - s >= minLength && !tail) {
                out.add(new StringHit(w.pid(), w.base() + s, Encoding.ASCII, new String(b, s, i - s, StandardCharsets.ISO_8859_1), null));
            }
        }
    }

    /** UTF-16LE pairs (printable, 0) at offsets of the given parity; window offsets have the parity of addresses. */
    private void utf16(Window w, int parity, List<StringHit> out) throws IOException {
        byte[] b = w.bytes();
        int len = w.length(), end = w.end(), i = w.start() + parity;
        boolean[] p = PRINTABLE;
        while (i < end) {
            while (i < end && !(i + 1 < len ? p[b[i] & 0xff] && b[i + 1] == 0 : pairAfterExtend(w, i))) i += 2;
            if (i >= end) break;
            b = w.bytes();
            len = w.length();
            int s = i;
            while (true) {
                while (i + 1 < len && p[b[i] & 0xff] && b[i + 1] == 0) i += 2;
                if (i + 1 < len || !w.extend()) break;
                b = w.bytes();
                len = w.length();
            }
            int chars = (i - s) / 2;
            boolean tail = s - w.start() < 2 && s >= 2 && p[b[s - 2] & 0xff] && b[s - 1] == 0;  // continues from the piece before
            if (chars >= minLength && !tail) {
                char[] c = new char[chars];
                for (int k = 0; k < chars; k++) c[k] = (char) (b[s + 2 * k] & 0xff);
                out.add(new StringHit(w.pid(), w.base() + s, Encoding.UTF16LE, new String(c), null));
            }
        }
    }

    private static boolean pairAfterExtend(Window w, int i) throws IOException {
        if (!w.ensure(i + 2)) return false;
        byte[] b = w.bytes();
        return PRINTABLE[b[i] & 0xff] && b[i + 1] == 0;
    }
}
