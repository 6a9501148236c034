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

/**
 * {@code strings(1)} over the dumped memory of processes: runs of at least {@code minLength} printable characters
 * (GNU strings' set: 0x20-0x7e and tab), in ASCII and/or UTF-16LE (a printable byte followed by a zero byte, at
 * either alignment). Strings run across page boundaries within contiguous dumped pages; a gap or absent page ends
 * them. Hits come in pid, address order with the memory area that holds them.
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
        Areas areas = new Areas(reader.table(Tables.MEMORY_AREAS));
        long[] lastEnd = new long[Encoding.values().length];
        int[] lastPid = {Integer.MIN_VALUE};
        new ParallelScan(reader.pages(), threads, 0, MAX_WINDOW).run(pids, this::scan, h -> {
            if (h.pid() != lastPid[0]) {
                lastPid[0] = h.pid();
                java.util.Arrays.fill(lastEnd, Long.MIN_VALUE);
            }
            int e = h.encoding().ordinal();
            // the tail of a string that an earlier piece reported (it ran into this piece) is not a new string
            if (lastEnd[e] != Long.MIN_VALUE && Long.compareUnsigned(h.address(), lastEnd[e]) < 0) return;
            lastEnd[e] = h.address() + h.byteLength();
            sink.accept(h.withArea(areas.find(h.pid(), h.address())));
        });
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
            if (i - s >= minLength) {
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
            if (chars >= minLength) {
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
