package dev.ckptkit.backend.elfcore;

import dev.ckptkit.io.CorruptImageException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

/**
 * GNU build-ids of mapped ELF files, read from the first page of their mapping, which the kernel dumps for every
 * ELF file (coredump_filter bit 4) and gcore dumps too: the ELF header, its program headers and, in practice, the
 * .note.gnu.build-id they point to all sit in that page. Whatever is not there gives no build-id, never an error.
 */
final class BuildIds {
    private static final int NT_GNU_BUILD_ID = 3;
    private static final int MAX_PHNUM = 256;

    private BuildIds() {}

    /** The build-id as lowercase hex of the ELF file mapped from offset 0 at {@code start}, or null. */
    static String of(CoreMemory mem, long start) throws CorruptImageException {
        MemorySegment page = mem.bytes(start, Elf.PAGE);
        if (page == null || page.get(ValueLayout.JAVA_INT_UNALIGNED, 0) != 0x464c457f || page.get(ValueLayout.JAVA_BYTE, 4) != Elf.ELFCLASS64) return null;
        long phoff = page.get(ValueLayout.JAVA_LONG_UNALIGNED, 32);
        int phentsize = Short.toUnsignedInt(page.get(ValueLayout.JAVA_SHORT_UNALIGNED, 54));
        int phnum = Short.toUnsignedInt(page.get(ValueLayout.JAVA_SHORT_UNALIGNED, 56));
        if (phentsize != Elf.PHDR_SIZE || phnum > MAX_PHNUM || phoff < 0 || phoff + (long) phnum * Elf.PHDR_SIZE > Elf.PAGE) return null;
        for (int i = 0; i < phnum; i++) {
            long ph = phoff + (long) i * Elf.PHDR_SIZE;
            if (page.get(ValueLayout.JAVA_INT_UNALIGNED, ph) != Elf.PT_NOTE) continue;
            long off = page.get(ValueLayout.JAVA_LONG_UNALIGNED, ph + 8), size = page.get(ValueLayout.JAVA_LONG_UNALIGNED, ph + 32);
            if (off < 0 || size < 0 || off > Elf.PAGE || size > Elf.PAGE - off) continue;
            String id = scan(page.asSlice(off, size));
            if (id != null) return id;
        }
        return null;
    }

    private static String scan(MemorySegment notes) {
        long p = 0, n = notes.byteSize();
        while (p + 12 <= n) {
            long namesz = Integer.toUnsignedLong(notes.get(ValueLayout.JAVA_INT_UNALIGNED, p));
            long descsz = Integer.toUnsignedLong(notes.get(ValueLayout.JAVA_INT_UNALIGNED, p + 4));
            int type = notes.get(ValueLayout.JAVA_INT_UNALIGNED, p + 8);
            long desc = p + 12 + ((namesz + 3) & ~3L), next = desc + ((descsz + 3) & ~3L);
            if (next > n) return null;
            if (type == NT_GNU_BUILD_ID && namesz == 4 && notes.get(ValueLayout.JAVA_INT_UNALIGNED, p + 12) == 0x00554e47 && descsz > 0) {
                return HexFormat.of().formatHex(notes.asSlice(desc, descsz).toArray(ValueLayout.JAVA_BYTE));
            }
            p = next;
        }
        return null;
    }
}
