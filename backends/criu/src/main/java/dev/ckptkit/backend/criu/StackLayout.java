package dev.ckptkit.backend.criu;

import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.table.MemoryAreaRow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the kernel put a process's argv and environment strings, its argc/argv/envp block and its auxiliary
 * vector on the initial stack, found in the dumped stack pages. CRIU's mm image names these addresses
 * (mm_arg_start..mm_env_end, mm_start_stack, mm_saved_auxv); tables from other checkpointers hold only the strings,
 * so they are looked for: the argv strings back to back, then the pointer to the first one in the argv array, with
 * argc right before it.
 *
 * @param startStack address of argc (the kernel's mm->start_stack)
 * @param auxv       the (type, value) pairs up to and including AT_NULL; empty when the array was not found
 */
record StackLayout(long startStack, long argStart, long argEnd, long envStart, long envEnd, List<Long> auxv) {
    private static final int PAGE = Pagemap.PAGE;
    /** The strings and arrays sit in the top pages: argv and environment are limited, and 256 KiB covers them. */
    private static final int SCAN_PAGES = 64;
    private static final int MAX_AUXV = 64;

    /** The layout, or null when the argv strings are not in the dumped stack (empty argv, rewritten, not dumped). */
    static StackLayout find(PageStore pages, int pid, MemoryAreaRow stack, List<String> argv, List<String> env) throws IOException {
        if (stack == null || argv == null || argv.isEmpty()) return null;
        long from = Math.max(stack.start(), stack.end() - (long) SCAN_PAGES * PAGE);
        int n = (int) ((stack.end() - from) / PAGE);
        byte[] buf = new byte[n * PAGE];
        for (int i = 0; i < n; i++) pages.read(pid, from + (long) i * PAGE, buf, i * PAGE);
        byte[] args = joined(argv);
        int at = lastIndexOf(buf, args);
        if (at < 0) return null;
        long argStart = from + at, argEnd = argStart + args.length;
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = (int) ((8 - (from & 7)) & 7) + 8; p + 8 <= at; p += 8) {
            if (b.getLong(p) != argStart || b.getLong(p - 8) != argv.size()) continue;
            StackLayout s = fromArrays(b, from, p, argv.size(), argStart, argEnd);
            if (s != null) return s;
        }
        // no argv array found: the strings alone, with the environment right after them when it is unchanged
        byte[] envs = env == null || env.isEmpty() ? new byte[0] : joined(env);
        boolean envFollows = envs.length > 0 && at + args.length + envs.length <= buf.length
                && java.util.Arrays.equals(buf, at + args.length, at + args.length + envs.length, envs, 0, envs.length);
        return new StackLayout(argStart, argStart, argEnd, argEnd, envFollows ? argEnd + envs.length : argEnd, List.of());
    }

    /** From argv[0]'s slot {@code p}: argv, NULL, envp, NULL, then the auxiliary vector. */
    private static StackLayout fromArrays(ByteBuffer b, long base, int p, int argc, long argStart, long argEnd) {
        int q = p + 8 * argc;
        if (q + 8 > b.limit() || b.getLong(q) != 0) return null;
        q += 8;
        long envStart = argEnd, envEnd = argEnd;
        long firstEnv = 0, lastEnv = 0;
        int count = 0;
        while (q + 8 <= b.limit() && b.getLong(q) != 0) {
            if (count++ == 0) firstEnv = b.getLong(q);
            lastEnv = b.getLong(q);
            q += 8;
        }
        if (q + 8 > b.limit()) return null;
        q += 8;
        if (count > 0) {
            int last = (int) (lastEnv - base);
            if (last < 0 || last >= b.limit()) return null;
            int end = last;
            while (end < b.limit() && b.get(end) != 0) end++;
            envStart = firstEnv;
            envEnd = base + end + 1;
        }
        List<Long> auxv = new ArrayList<>();
        for (int i = 0; i < MAX_AUXV && q + 16 <= b.limit(); i++, q += 16) {
            long type = b.getLong(q), value = b.getLong(q + 8);
            auxv.add(type);
            auxv.add(value);
            if (type == 0) break;
        }
        if (auxv.size() < 2 || auxv.get(auxv.size() - 2) != 0) auxv = List.of();
        return new StackLayout(base + p - 8, argStart, argEnd, envStart, envEnd, List.copyOf(auxv));
    }

    private static byte[] joined(List<String> strings) {
        return (String.join("\0", strings) + "\0").getBytes(StandardCharsets.UTF_8);
    }

    private static int lastIndexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
