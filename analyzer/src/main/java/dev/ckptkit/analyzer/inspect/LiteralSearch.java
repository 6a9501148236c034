package dev.ckptkit.analyzer.inspect;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Finds a byte string in a byte array. Patterns of 6 bytes or more: Boyer-Moore-Horspool (skips about a pattern
 * length per step where nothing matches). Shorter ones: looks for the pattern's rarest byte (by a fixed guess of byte
 * frequencies in process memory) eight bytes at a time (SWAR), then compares the whole pattern at each candidate,
 * the idea of memchr-based searchers, without needing vector intrinsics.
 */
public final class LiteralSearch {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private final byte[] pattern;
    private final int rare;
    private final byte rareByte;
    private final long broadcast;
    /** Horspool shifts by the byte under the pattern's last position; null for short patterns. */
    private final int[] shift;
    /** From this length on, skipping (Horspool) beats looking at every byte. */
    static final int HORSPOOL_MIN = 6;

    public LiteralSearch(byte[] pattern) {
        if (pattern.length == 0) throw new IllegalArgumentException("empty pattern");
        this.pattern = pattern.clone();
        this.rare = rarest(pattern);
        this.rareByte = pattern[rare];
        this.broadcast = (rareByte & 0xffL) * ONES;
        if (pattern.length >= HORSPOOL_MIN) {
            shift = new int[256];
            Arrays.fill(shift, pattern.length);
            for (int k = 0; k < pattern.length - 1; k++) shift[pattern[k] & 0xff] = pattern.length - 1 - k;
        } else {
            shift = null;
        }
    }

    public int length() { return pattern.length; }

    /**
     * First offset s in [from, limit) where the pattern occurs, or -1. The caller guarantees that
     * {@code a[s .. s + length())} is valid data for every s below {@code limit}.
     */
    public int indexOf(byte[] a, int from, int limit) {
        return shift != null ? horspool(a, from, limit) : swar(a, from, limit);
    }

    /** Boyer-Moore-Horspool: looks at about one byte in (pattern length) on memory that does not match. */
    private int horspool(byte[] a, int from, int limit) {
        int m = pattern.length;
        byte last = pattern[m - 1];
        int[] sh = shift;
        int i = from;
        while (i < limit) {
            byte c = a[i + m - 1];
            if (c == last && a[i + rare] == rareByte && Arrays.equals(a, i, i + m - 1, pattern, 0, m - 1)) return i;
            i += sh[c & 0xff];
        }
        return -1;
    }

    private int swar(byte[] a, int from, int limit) {
        int m = pattern.length, r = rare;
        byte rb = rareByte;
        int j = from + r, jEnd = limit + r;
        while (j + 8 <= jEnd) {
            long v = (long) LONGS.get(a, j) ^ broadcast;
            long t = (v - ONES) & ~v & HIGHS;
            while (t != 0) {
                int k = j + (Long.numberOfTrailingZeros(t) >>> 3);
                // the zero-byte trick may flag a byte above a real zero: the a[k] check filters those
                if (a[k] == rb && Arrays.equals(a, k - r, k - r + m, pattern, 0, m)) return k - r;
                t &= t - 1;
            }
            j += 8;
        }
        for (; j < jEnd; j++) {
            if (a[j] == rb && Arrays.equals(a, j - r, j - r + m, pattern, 0, m)) return j - r;
        }
        return -1;
    }

    /** Index of the byte least likely to occur in memory: zeros, 0xff, spaces and lower case letters are common. */
    static int rarest(byte[] p) {
        int best = 0, bestScore = Integer.MAX_VALUE;
        for (int i = 0; i < p.length; i++) {
            int s = score(p[i] & 0xff);
            if (s < bestScore) {
                best = i;
                bestScore = s;
            }
        }
        return best;
    }

    private static int score(int b) {
        if (b == 0) return 100;
        if (b == 0xff) return 90;
        if (b == ' ') return 80;
        if (b >= 'a' && b <= 'z') return "etaoinshrdlu".indexOf(b) >= 0 ? 70 : 60;
        if (b >= '0' && b <= '9') return 50;
        if (b >= 'A' && b <= 'Z') return 40;
        if (b < 0x20 || b >= 0x80) return 20;
        return 30;  // punctuation
    }
}
