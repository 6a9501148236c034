package dev.ckptkit.analyzer.inspect;

import java.io.IOException;
import java.util.Arrays;

/**
 * hexdump -C style lines of 16 bytes with addresses; a run of lines equal to the one before is shown as a single
 * {@code *} line, and bytes the image has no data for are shown as {@code ??}.
 */
public final class Hexdump {
    public static final int WIDTH = 16;

    /** One output line: 16 (or fewer, at the end) bytes, or a {@code *} marker for repeated lines. */
    public record Line(long address, byte[] bytes, boolean[] dumped, boolean repeat) {
        public String text() {
            if (repeat) return "*";
            StringBuilder sb = new StringBuilder(80);
            sb.append(Hexdump.address(address)).append("  ");
            StringBuilder ascii = new StringBuilder(WIDTH);
            for (int i = 0; i < WIDTH; i++) {
                if (i == 8) sb.append(' ');
                if (i < bytes.length) {
                    int b = bytes[i] & 0xff;
                    if (dumped[i]) {
                        sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16)).append(' ');
                        ascii.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
                    } else {
                        sb.append("?? ");
                        ascii.append('?');
                    }
                } else {
                    sb.append("   ");
                }
            }
            return sb.append(" |").append(ascii).append('|').toString();
        }
    }

    public interface LineSink {
        void accept(Line line) throws IOException;
    }

    public static String address(long a) {
        String h = Long.toHexString(a);
        return h.length() >= 12 ? h : "0".repeat(12 - h.length()) + h;
    }

    /** Collects bytes into lines and collapses repeats; call {@link #finish()} at the end. */
    public static final class Builder {
        private final LineSink sink;
        private final byte[] cur = new byte[WIDTH];
        private final boolean[] curDumped = new boolean[WIDTH];
        private byte[] prev;
        private boolean[] prevDumped;
        private boolean inRepeat;
        private long lineAddress;
        private int n;

        public Builder(LineSink sink) {
            this.sink = sink;
        }

        public void add(long address, byte[] b, int off, int len, boolean dumped) throws IOException {
            for (int k = 0; k < len; k++) {
                if (n == 0) lineAddress = address + k;
                cur[n] = b[off + k];
                curDumped[n] = dumped;
                if (++n == WIDTH) flush();
            }
        }

        private void flush() throws IOException {
            if (n == 0) return;
            byte[] bytes = Arrays.copyOf(cur, n);
            boolean[] d = Arrays.copyOf(curDumped, n);
            if (n == WIDTH && prev != null && Arrays.equals(prev, bytes) && Arrays.equals(prevDumped, d)) {
                if (!inRepeat) sink.accept(new Line(lineAddress, bytes, d, true));
                inRepeat = true;
            } else {
                sink.accept(new Line(lineAddress, bytes, d, false));
                inRepeat = false;
            }
            prev = bytes;
            prevDumped = d;
            n = 0;
        }

        /** Flushes the last partial line. */
        public void finish() throws IOException {
            flush();
        }
    }

    /** Lines for a byte array without repeat collapsing (grep context). */
    public static void lines(long address, byte[] b, LineSink sink) throws IOException {
        for (int i = 0; i < b.length; i += WIDTH) {
            int n = Math.min(WIDTH, b.length - i);
            boolean[] d = new boolean[n];
            Arrays.fill(d, true);
            sink.accept(new Line(address + i, Arrays.copyOfRange(b, i, i + n), d, false));
        }
    }
}
