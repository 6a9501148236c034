package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Searches the dumped memory of processes for a {@link BytePattern}. Matches may span page boundaries within
 * contiguous dumped pages; matches do not overlap (after a match the search goes on at its end, as grep -o does).
 * Hits come in pid, address order.
 */
public final class Grep {
    /** How many bytes of a (regex) match a hit keeps. */
    public static final int MAX_MATCH_BYTES = 4096;
    /** How far past its piece a worker follows a regex match (keeps memory bounded). */
    static final int MAX_WINDOW = 16 << 20;
    /**
     * For regexes without a literal prefix: how many pages past its piece a worker reads to decide whether a match
     * starts in the piece (a match that needs more than this to be decided can be missed at a 1 MiB boundary).
     */
    static final int MAX_LOOKAHEAD_PAGES = 16;

    private final CkptReader reader;
    private final BytePattern pattern;
    private final int context;
    private final int threads;
    private final LiteralSearch literal;

    public Grep(CkptReader reader, BytePattern pattern, int contextBytes, int threads) {
        if (contextBytes < 0 || contextBytes > 1 << 20) throw new IllegalArgumentException("context must be 0..1048576 bytes");
        this.reader = reader;
        this.pattern = pattern;
        this.context = contextBytes;
        this.threads = threads;
        this.literal = switch (pattern) {
            case BytePattern.Literal l -> new LiteralSearch(l.bytes());
            case BytePattern.Regex r -> r.prefix().length == 0 ? null : new LiteralSearch(r.prefix());
        };
    }

    public void run(Set<Integer> pids, ParallelScan.Sink<GrepHit> sink) throws IOException {
        Areas areas = new Areas(reader.table(Tables.MEMORY_AREAS));
        MemoryReader memory = new MemoryReader(new Inspector(reader));
        long[] lastEnd = {0};
        int[] lastPid = {Integer.MIN_VALUE};
        int lookbehind = (context + Window.PAGE - 1) / Window.PAGE;
        new ParallelScan(reader.pages(), threads, lookbehind, MAX_WINDOW + 2 * context).run(pids, this::scan, f -> {
            GrepHit h = f.hit();
            if (h.pid() == lastPid[0] && Long.compareUnsigned(h.address(), lastEnd[0]) < 0) return;  // overlaps the match before
            lastPid[0] = h.pid();
            lastEnd[0] = h.address() + h.length();
            sink.accept(h.withArea(areas.find(h.pid(), h.address()), context == 0 ? null : read(memory, h, f.contextLength())));
        });
    }

    /**
     * A hit as a worker finds it: the context is only located (its bytes are dumped and contiguous), and read on the
     * caller's thread, so that a pattern matching everywhere with a large context cannot fill the heap.
     */
    record Found(GrepHit hit, int contextLength) {}

    private static byte[] read(MemoryReader memory, GrepHit h, int length) throws IOException {
        byte[] out = new byte[length];
        int[] pos = {0};
        memory.read(h.pid(), h.contextAddress(), h.contextAddress() + length, (a, b, off, len, dumped) -> {
            System.arraycopy(b, off, out, pos[0], len);
            pos[0] += len;
        });
        return out;
    }

    List<Found> scan(Window w) throws IOException {
        List<Found> out = new ArrayList<>();
        switch (pattern) {
            case BytePattern.Literal l -> scanLiteral(w, l.bytes().length, out);
            case BytePattern.Regex r -> scanRegex(w, r, out);
        }
        return out;
    }

    private void scanLiteral(Window w, int m, List<Found> out) throws IOException {
        w.ensure(w.end() + m - 1);
        int pos = w.start();
        while (true) {
            int limit = Math.min(w.end(), w.length() - m + 1);
            if (pos >= limit) return;
            int s = literal.indexOf(w.bytes(), pos, limit);
            if (s < 0) return;
            out.add(hit(w, s, s + m));
            pos = s + m;
        }
    }

    private void scanRegex(Window w, BytePattern.Regex r, List<Found> out) throws IOException {
        Matcher m = r.pattern().matcher("");
        int pos = w.start();
        while (pos < w.end()) {
            int s;
            if (literal != null) {
                w.ensure(w.end() + literal.length() - 1);
                int limit = Math.min(w.end(), w.length() - literal.length() + 1);
                s = pos >= limit ? -1 : literal.indexOf(w.bytes(), pos, limit);
                if (s < 0) return;
                if (!matchAt(w, m, s)) {
                    pos = s + 1;
                    continue;
                }
            } else {
                int extra = 0;
                while (true) {
                    rebind(w, m);
                    m.region(pos, w.length());
                    if (m.find() && m.start() < w.end()) break;
                    // an attempt that started in the piece may have run out of input: load a page more and retry
                    if (!(m.hitEnd() && extra++ < MAX_LOOKAHEAD_PAGES && w.extend())) return;
                }
                s = m.start();
                if (m.hitEnd() && m.end() == w.length()) {
                    // the match ran into the end of what is loaded: load more and match again from its start
                    matchAt(w, m, s);
                }
            }
            int e = m.end();
            out.add(hit(w, s, e));
            pos = e > s ? e : s + 1;
        }
    }

    /**
     * Matches at exactly {@code s}, pulling in following pages while more input could change the result;
     * {@code m} is left holding the result.
     */
    private static boolean matchAt(Window w, Matcher m, int s) throws IOException {
        while (true) {
            rebind(w, m);
            m.region(s, w.length());
            boolean found = m.lookingAt();
            if (!(m.hitEnd() && w.extend())) return found;
        }
    }

    /** Points the matcher at the window's current buffer (which {@link Window#extend()} may have replaced). */
    private static Matcher rebind(Window w, Matcher m) {
        return m.reset(new ByteChars(w.bytes(), w.length())).useTransparentBounds(true).useAnchoringBounds(false);
    }

    private Found hit(Window w, int s, int e) throws IOException {
        w.ensure(e + context);
        byte[] b = w.bytes();
        int cs = Math.max(0, s - context), ce = Math.min(w.length(), e + context);
        return new Found(new GrepHit(w.pid(), w.base() + s, e - s, Arrays.copyOfRange(b, s, Math.min(e, s + MAX_MATCH_BYTES)),
                w.base() + cs, null, null), ce - cs);
    }

    /** Bytes as ISO-8859-1 characters, without copying. */
    record ByteChars(byte[] b, int length) implements CharSequence {
        @Override
        public char charAt(int i) { return (char) (b[i] & 0xff); }

        @Override
        public CharSequence subSequence(int from, int to) {
            return new String(b, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() { return new String(b, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1); }
    }
}
