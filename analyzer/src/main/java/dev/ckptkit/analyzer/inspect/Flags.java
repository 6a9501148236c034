package dev.ckptkit.analyzer.inspect;

import java.util.ArrayList;
import java.util.List;

/** Linux flag words rendered the way /proc and strace show them (x86_64 / generic values). */
public final class Flags {
    private Flags() {}

    private static final int MAP_SHARED = 0x1;

    public static String perms(int prot, int mapFlags) {
        return "" + ((prot & 1) != 0 ? 'r' : '-') + ((prot & 2) != 0 ? 'w' : '-') + ((prot & 4) != 0 ? 'x' : '-')
                + ((mapFlags & MAP_SHARED) != 0 ? 's' : 'p');
    }

    private static final String[] ACCESS = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
    private static final int[] OPEN_BITS = {0100, 0200, 0400, 01000, 02000, 04000, 010000, 040000, 0100000, 0200000,
            0400000, 01000000, 02000000, 04000000, 010000000, 020000000};
    private static final String[] OPEN_NAMES = {"O_CREAT", "O_EXCL", "O_NOCTTY", "O_TRUNC", "O_APPEND", "O_NONBLOCK",
            "O_DSYNC", "O_DIRECT", "O_LARGEFILE", "O_DIRECTORY", "O_NOFOLLOW", "O_NOATIME", "O_CLOEXEC", "O_SYNC",
            "O_PATH", "O_TMPFILE"};

    /** open(2) flags as {@code O_RDWR|O_APPEND}; unknown bits as a trailing octal number. */
    public static String open(int flags) {
        List<String> parts = new ArrayList<>();
        parts.add(ACCESS[flags & 3]);
        int rest = flags & ~3;
        for (int i = 0; i < OPEN_BITS.length; i++) {
            if ((rest & OPEN_BITS[i]) == OPEN_BITS[i]) {
                parts.add(OPEN_NAMES[i]);
                rest &= ~OPEN_BITS[i];
            }
        }
        if (rest != 0) parts.add("0" + Integer.toOctalString(rest));
        return String.join("|", parts);
    }

    private static final String[] EFLAGS = {"CF", null, "PF", null, "AF", null, "ZF", "SF", "TF", "IF", "DF", "OF",
            null, null, "NT", null, "RF", "VM", "AC", "VIF", "VIP", "ID"};

    /** x86 EFLAGS bits that are set, e.g. {@code [PF ZF IF]}. */
    public static String eflags(long v) {
        List<String> on = new ArrayList<>();
        for (int i = 0; i < EFLAGS.length; i++) if (EFLAGS[i] != null && (v & (1L << i)) != 0) on.add(EFLAGS[i]);
        return "[" + String.join(" ", on) + "]";
    }

    public static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
