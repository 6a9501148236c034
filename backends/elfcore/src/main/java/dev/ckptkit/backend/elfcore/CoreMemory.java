package dev.ckptkit.backend.elfcore;

import dev.ckptkit.io.CorruptImageException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The process memory a core holds: PT_LOAD contents by virtual address (only the p_filesz part is known). */
final class CoreMemory {
    private final CoreFile core;
    private final List<Segment> sorted;

    CoreMemory(CoreFile core) {
        this.core = core;
        List<Segment> s = new ArrayList<>(core.loads());
        s.sort(Comparator.comparing(Segment::vaddr, Long::compareUnsigned));
        this.sorted = List.copyOf(s);
    }

    /** PT_LOAD segments in ascending (unsigned) address order. */
    List<Segment> sorted() { return sorted; }

    /** The segment holding {@code va} in its memory range, or null. */
    Segment at(long va) {
        for (Segment s : sorted) {
            if (Long.compareUnsigned(va, s.vaddr()) >= 0 && Long.compareUnsigned(va - s.vaddr(), s.memsz()) < 0) return s;
        }
        return null;
    }

    /** The dumped bytes of {@code s} (its first p_filesz bytes). */
    MemorySegment contents(Segment s) throws CorruptImageException {
        return core.slice(s.offset(), s.filesz(), "segment at 0x" + Long.toHexString(s.vaddr()));
    }

    /** The {@code len} dumped bytes at {@code va} (within one segment), or null if the core does not hold them all. */
    MemorySegment bytes(long va, long len) throws CorruptImageException {
        Segment s = at(va);
        if (s == null || len < 0 || Long.compareUnsigned(va - s.vaddr(), s.filesz()) >= 0 || s.filesz() - (va - s.vaddr()) < len) return null;
        return contents(s).asSlice(va - s.vaddr(), len);
    }

    /** The 8 bytes at {@code va}, or null if the core does not hold them. */
    Long readLong(long va) throws CorruptImageException {
        Segment s = at(va);
        if (s == null || Long.compareUnsigned(va - s.vaddr() + 8, s.filesz()) > 0) return null;
        return contents(s).get(ValueLayout.JAVA_LONG_UNALIGNED, va - s.vaddr());
    }

    /** The NUL-terminated string at {@code va} (at most {@code max} bytes), or null if the core does not hold it. */
    String readCString(long va, int max) throws CorruptImageException {
        Segment s = at(va);
        if (s == null) return null;
        long off = va - s.vaddr();
        MemorySegment c = contents(s);
        long end = off;
        while (end < c.byteSize() && end - off < max && c.get(ValueLayout.JAVA_BYTE, end) != 0) end++;
        if (end >= c.byteSize() || end - off >= max) return null;
        return new String(c.asSlice(off, end - off).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /**
     * The initial stack the kernel built at exec: argc, argv[], NULL, envp[], NULL, then the auxiliary vector.
     * Found by looking for the NT_AUXV bytes in the segment that holds the stack pointer, then walking back over the
     * two pointer arrays. Null when the layout is not there (a program may rewrite its stack).
     */
    record InitialStack(List<String> argv, List<String> env) {}

    InitialStack initialStack(long sp, MemorySegment auxv) throws CorruptImageException {
        Segment s = at(sp);
        if (s == null || auxv.byteSize() < 32) return null;
        MemorySegment c = contents(s);
        MemorySegment key = auxv.asSlice(0, 32);
        long found = -1;
        for (long p = 0; p + 32 <= c.byteSize(); p += 8) {
            if (MemorySegment.mismatch(c, p, p + 32, key, 0, 32) == -1) {
                found = p;
                break;
            }
        }
        if (found < 16) return null;
        long va = s.vaddr() + found - 8;
        if (readLong(va) != 0L) return null;
        List<Long> env = new ArrayList<>();
        for (va -= 8; ; va -= 8) {
            Long v = readLong(va);
            if (v == null) return null;
            if (v == 0) break;
            env.add(0, v);
            if (env.size() > 1 << 16) return null;
        }
        List<Long> argv = new ArrayList<>();
        for (va -= 8; ; va -= 8) {
            Long v = readLong(va);
            if (v == null) return null;
            if (v == argv.size() && (v > 0 || argv.isEmpty())) break;  // argc
            argv.add(0, v);
            if (argv.size() > 1 << 16) return null;
        }
        return new InitialStack(strings(argv), strings(env));
    }

    private List<String> strings(List<Long> ptrs) throws CorruptImageException {
        List<String> out = new ArrayList<>();
        for (long p : ptrs) {
            String str = readCString(p, 1 << 17);
            if (str == null) return null;
            out.add(str);
        }
        return List.copyOf(out);
    }
}
