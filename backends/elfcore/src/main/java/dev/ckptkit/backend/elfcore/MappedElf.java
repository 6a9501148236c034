package dev.ckptkit.backend.elfcore;

import dev.ckptkit.io.CorruptImageException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

/**
 * The first page of a mapped ELF file, as the core holds it: the kernel dumps it for every ELF file mapping
 * (coredump_filter bit 4), and gcore does too. The ELF header, the program headers and, in practice, the
 * .note.gnu.build-id are all in that page. They give the file's build-id and the protection of the mappings the
 * core left out (those are the file's PT_LOAD segments). Whatever is not there gives null, never an error.
 */
final class MappedElf {
    private static final int NT_GNU_BUILD_ID = 3;
    private static final int MAX_PHNUM = 256;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final MemorySegment page;
    private final long phoff;
    private final int phnum;

    private MappedElf(MemorySegment page, long phoff, int phnum) {
        this.page = page;
        this.phoff = phoff;
        this.phnum = phnum;
    }

    /** The ELF file mapped from offset 0 at {@code start}, or null if its header page is not in the core. */
    static MappedElf at(CoreMemory mem, long start) throws CorruptImageException {
        MemorySegment page = mem.bytes(start, Elf.PAGE);
        if (page == null || page.get(U32, 0) != 0x464c457f || page.get(ValueLayout.JAVA_BYTE, 4) != Elf.ELFCLASS64) return null;
        long phoff = page.get(U64, 32);
        int phentsize = Short.toUnsignedInt(page.get(ValueLayout.JAVA_SHORT_UNALIGNED, 54));
        int phnum = Short.toUnsignedInt(page.get(ValueLayout.JAVA_SHORT_UNALIGNED, 56));
        if (phentsize != Elf.PHDR_SIZE || phnum > MAX_PHNUM || phoff < 0 || phoff + (long) phnum * Elf.PHDR_SIZE > Elf.PAGE) return null;
        return new MappedElf(page, phoff, phnum);
    }

    /** The GNU build-id as lowercase hex, or null. */
    String buildId() {
        for (int i = 0; i < phnum; i++) {
            long ph = phoff + (long) i * Elf.PHDR_SIZE;
            if (page.get(U32, ph) != Elf.PT_NOTE) continue;
            long off = page.get(U64, ph + 8), size = page.get(U64, ph + 32);
            if (off < 0 || size < 0 || off > Elf.PAGE || size > Elf.PAGE - off) continue;
            String id = scan(page.asSlice(off, size));
            if (id != null) return id;
        }
        return null;
    }

    /** PROT_* bits of the PT_LOAD that maps file offset {@code fileOffset}, or null. */
    Integer protAt(long fileOffset) {
        for (int i = 0; i < phnum; i++) {
            long ph = phoff + (long) i * Elf.PHDR_SIZE;
            if (page.get(U32, ph) != Elf.PT_LOAD) continue;
            long off = page.get(U64, ph + 8) & -Elf.PAGE, end = page.get(U64, ph + 8) + page.get(U64, ph + 32);
            if (fileOffset >= off && fileOffset < end) {
                return new Segment(0, 0, 0, 0, page.get(U32, ph + 4)).prot();
            }
        }
        return null;
    }

    private static String scan(MemorySegment notes) {
        long p = 0, n = notes.byteSize();
        while (p + 12 <= n) {
            long namesz = Integer.toUnsignedLong(notes.get(U32, p));
            long descsz = Integer.toUnsignedLong(notes.get(U32, p + 4));
            int type = notes.get(U32, p + 8);
            long desc = p + 12 + ((namesz + 3) & ~3L), next = desc + ((descsz + 3) & ~3L);
            if (next > n) return null;
            if (type == NT_GNU_BUILD_ID && namesz == 4 && notes.get(U32, p + 12) == 0x00554e47 && descsz > 0) {
                return HexFormat.of().formatHex(notes.asSlice(desc, descsz).toArray(ValueLayout.JAVA_BYTE));
            }
            p = next;
        }
        return null;
    }
}
