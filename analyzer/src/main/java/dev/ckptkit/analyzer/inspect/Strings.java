package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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

    /** 1 for GNU strings' printable bytes, else 0 (a byte table, for branch-free run counting). */
    private static final byte[] PRINT = new byte[256];
    /** Run length meaning "this run began before the piece": it never reaches minLength, so it is never reported. */
    private static final int TAIL = Integer.MIN_VALUE / 2;

    static {
        for (int c = 0x20; c <= 0x7e; c++) PRINT[c] = 1;
        PRINT['\t'] = 1;
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
        Areas areas = new Areas(reader.table(Tables.MEMORY_AREAS));
        scan(pids, (w, hits) -> {
            List<R> out = new ArrayList<>(hits.size());
            Areas.Cursor c = areas.cursor(w.pid());
            for (int k = 0; k < hits.size(); k++) out.add(render.apply(hits.hit(w, k, c)));
            return out;
        }, rendered -> {
            for (R r : rendered) sink.accept(r);
        });
    }

    /**
     * Runs the scan and renders the hits as the text output of {@code ckpt strings} (one string per 1 MiB piece,
     * made on the worker threads straight from the page bytes), delivered in pid, address order.
     */
    public void runLines(Set<Integer> pids, ParallelScan.Sink<StringHit.Lines> sink) throws IOException {
        Areas areas = new Areas(reader.table(Tables.MEMORY_AREAS));
        scan(pids, (w, hits) -> List.of(hits.render(w, areas.cursor(w.pid()))), l -> sink.accept(l.getFirst()));
    }

    /** What a worker does with a window's hits (while the window still holds the bytes). */
    interface PieceHandler<R> {
        R handle(Window w, Hits hits) throws IOException;
    }

    private <R> void scan(Set<Integer> pids, PieceHandler<R> handler, ParallelScan.Sink<R> sink) throws IOException {
        // one page of look-behind: a string running into the piece from the page before belongs to the piece before
        new ParallelScan(reader.pages(), threads, 1, MAX_WINDOW).run(pids, w -> {
            Hits hits = new Hits();
            if (encodings.contains(Encoding.ASCII)) ascii(w, hits);
            if (encodings.contains(Encoding.UTF16LE)) {
                utf16(w, 0, hits);
                utf16(w, 1, hits);
            }
            if (encodings.size() > 1) hits.sort();
            return List.of(handler.handle(w, hits));
        }, sink);
    }

    /** The strings starting in a window's piece, for tests. */
    List<StringHit> scan(Window w) throws IOException {
        Hits hits = new Hits();
        if (encodings.contains(Encoding.ASCII)) ascii(w, hits);
        if (encodings.contains(Encoding.UTF16LE)) {
            utf16(w, 0, hits);
            utf16(w, 1, hits);
        }
        hits.sort();
        List<StringHit> out = new ArrayList<>();
        for (int k = 0; k < hits.size(); k++) out.add(hits.hit(w, k, null));
        return out;
    }

    /**
     * ASCII strings starting in the piece. The loop counts the current run without a branch per byte (random data
     * would mispredict one on every few bytes); the only branch is taken where a long enough run ends.
     */
    private void ascii(Window w, Hits out) throws IOException {
        byte[] b = w.bytes();
        byte[] p = PRINT;
        int start = w.start(), end = w.end(), min = minLength;
        int run = start > 0 && p[b[start - 1] & 0xff] != 0 ? TAIL : 0;
        for (int i = start; i < end; i++) {
            int pr = p[b[i] & 0xff];
            if ((pr == 0) & (run >= min)) out.add(i - run, run, Encoding.ASCII);
            run = (run + 1) & -pr;
        }
        if (run <= 0) return;
        // a string open at the end of the piece: follow it into the pages after
        int s = end - run, i = end;
        while (true) {
            b = w.bytes();
            int len = w.length();
            while (i < len && p[b[i] & 0xff] != 0) i++;
            if (i < len || !w.extend()) break;
        }
        if (i - s >= min) out.add(s, i - s, Encoding.ASCII);
    }

    /** 1 if offset i holds a UTF-16LE printable character (printable byte, then 0). */
    private static int pair(byte[] b, int i) {
        return PRINT[b[i] & 0xff] & (((b[i + 1] & 0xff) - 1) >>> 31);
    }

    /** UTF-16LE strings at offsets of the given parity (window offsets have the parity of addresses). */
    private void utf16(Window w, int parity, Hits out) throws IOException {
        byte[] b = w.bytes();
        int start = w.start(), end = w.end(), min = minLength;
        int i = start + parity;
        int run = i >= 2 && pair(b, i - 2) != 0 ? TAIL : 0;  // in chars
        for (; i + 1 < end; i += 2) {
            int pr = pair(b, i);
            if ((pr == 0) & (run >= min)) out.add(i - 2 * run, run, Encoding.UTF16LE);
            run = (run + 1) & -pr;
        }
        // the pair straddling the piece end (odd parity), and a string still open: follow into the pages after
        while (true) {
            if (run == 0 && i >= end) return;
            boolean valid = (i + 1 < w.length() || w.ensure(i + 2)) && pair(w.bytes(), i) != 0;
            if (!valid) break;
            if (run != TAIL) run++;
            i += 2;
        }
        if (run >= min) out.add(i - 2 * run, run, Encoding.UTF16LE);
    }

    /** The hits of one piece, compact: window offset, length in characters, encoding. */
    static final class Hits {
        private int[] off = new int[256];
        private int[] chars = new int[256];
        private byte[] enc = new byte[256];
        private int n;

        void add(int offset, int length, Encoding e) {
            if (n == off.length) {
                off = Arrays.copyOf(off, n * 2);
                chars = Arrays.copyOf(chars, n * 2);
                enc = Arrays.copyOf(enc, n * 2);
            }
            off[n] = offset;
            chars[n] = length;
            enc[n] = (byte) e.ordinal();
            n++;
        }

        int size() { return n; }

        /** Orders by offset (several encodings were scanned one after the other). */
        void sort() {
            long[] keys = new long[n];
            for (int k = 0; k < n; k++) keys[k] = ((long) off[k] << 32) | k;
            Arrays.sort(keys);
            int[] o = new int[n], c = new int[n];
            byte[] e = new byte[n];
            for (int k = 0; k < n; k++) {
                int from = (int) keys[k];
                o[k] = off[from];
                c[k] = chars[from];
                e[k] = enc[from];
            }
            off = o;
            chars = c;
            enc = e;
        }

        StringHit hit(Window w, int k, Areas.Cursor areas) {
            byte[] b = w.bytes();
            String text;
            Encoding e = Encoding.values()[enc[k]];
            if (e == Encoding.ASCII) {
                text = new String(b, off[k], chars[k], StandardCharsets.ISO_8859_1);
            } else {
                byte[] t = new byte[chars[k]];
                for (int j = 0; j < t.length; j++) t[j] = b[off[k] + 2 * j];
                text = new String(t, StandardCharsets.ISO_8859_1);
            }
            long address = w.base() + off[k];
            return new StringHit(w.pid(), address, e, text, areas == null ? null : areas.find(address));
        }

        private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] ASCII_COL = "\tascii\t".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] UTF16_COL = "\tutf16le\t".getBytes(StandardCharsets.US_ASCII);

        /** The text lines (see {@link StringHit#line()}), written as bytes straight from the window. */
        StringHit.Lines render(Window w, Areas.Cursor areas) {
            byte[] b = w.bytes();
            byte[] pidCol = (w.pid() + "\t0x").getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[Math.max(64, n * 64)];
            int pos = 0;
            MemoryAreaRow lastArea = null;
            byte[] label = ("?\t").getBytes(StandardCharsets.UTF_8);
            for (int k = 0; k < n; k++) {
                long address = w.base() + off[k];
                MemoryAreaRow a = areas.find(address);
                if (a != lastArea || k == 0) {
                    label = (Areas.label(a) + "\t").getBytes(StandardCharsets.UTF_8);
                    lastArea = a;
                }
                boolean ascii = enc[k] == 0;
                byte[] encCol = ascii ? ASCII_COL : UTF16_COL;
                int need = pidCol.length + 16 + encCol.length + label.length + chars[k] + 1;
                if (pos + need > out.length) out = Arrays.copyOf(out, Math.max(out.length * 2, pos + need));
                System.arraycopy(pidCol, 0, out, pos, pidCol.length);
                pos += pidCol.length;
                int digits = Math.max(1, 16 - Long.numberOfLeadingZeros(address) / 4);
                for (int d = digits - 1; d >= 0; d--) out[pos++] = HEX[(int) (address >>> (4 * d)) & 15];
                System.arraycopy(encCol, 0, out, pos, encCol.length);
                pos += encCol.length;
                System.arraycopy(label, 0, out, pos, label.length);
                pos += label.length;
                if (ascii) {
                    System.arraycopy(b, off[k], out, pos, chars[k]);
                    pos += chars[k];
                } else {
                    for (int j = 0; j < chars[k]; j++) out[pos++] = b[off[k] + 2 * j];
                }
                out[pos++] = '\n';
            }
            return new StringHit.Lines(new String(out, 0, pos, StandardCharsets.UTF_8), n);
        }
    }
}
