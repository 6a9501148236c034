package dev.ckptkit.cli;

/** Parsing of addresses (hex, as /proc/PID/maps prints them, with or without 0x) and lengths. */
final class Addresses {
    private Addresses() {}

    static long address(String s) {
        String h = s.trim().toLowerCase();
        if (h.startsWith("0x")) h = h.substring(2);
        if (h.isEmpty() || h.length() > 16) throw new CkptException("'" + s + "' is not a hex address");
        try {
            return Long.parseUnsignedLong(h, 16);
        } catch (NumberFormatException e) {
            throw new CkptException("'" + s + "' is not a hex address");
        }
    }

    /** {@code A-B} in hex, B exclusive. */
    static long[] range(String s) {
        int dash = s.indexOf('-');
        if (dash <= 0) throw new CkptException("'" + s + "' is not a range START-END (hex addresses, END exclusive)");
        long a = address(s.substring(0, dash)), b = address(s.substring(dash + 1));
        if (Long.compareUnsigned(a, b) >= 0) throw new CkptException("range '" + s + "' is empty: END must be above START");
        return new long[] {a, b};
    }

    /** A length: decimal, 0x hex, or with a K, M or G suffix (powers of 1024). */
    static long length(String s) {
        String t = s.trim();
        long mul = 1;
        char last = t.isEmpty() ? ' ' : Character.toUpperCase(t.charAt(t.length() - 1));
        if (last == 'K' || last == 'M' || last == 'G') {
            mul = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = t.toLowerCase().startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            if (v <= 0) throw new CkptException("length '" + s + "' must be positive");
            return Math.multiplyExact(v, mul);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CkptException("'" + s + "' is not a length");
        }
    }
}
