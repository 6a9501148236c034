package dev.ckptkit.backend.elfcore;

import dev.ckptkit.io.CorruptImageException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An x86-64 ELF core file, mapped read-only (never copied into the heap, so cores of any size open in constant heap).
 * Every read is bounds-checked: a malformed or truncated file gives a {@link CorruptImageException} naming the file
 * and the offset of the field that is wrong.
 */
final class CoreFile implements Closeable {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** Notes bigger than this are not notes a core writer makes; refusing them bounds what a hostile file can ask for. */
    private static final long MAX_NOTES = 1L << 30;
    /** Far above vm.max_map_count (65530 by default): more segments than this are not a process's memory. */
    private static final long MAX_SEGMENTS = 1L << 22;

    private final String resource;
    private final Arena arena;
    private final Path path;
    private final MemorySegment file;
    private final List<Segment> loads;
    private final List<Note> notes;

    /** The core's file, for reading segment contents with read(2) rather than through page faults. */
    Path path() { return path; }

    private CoreFile(Path path) throws IOException {
        this.path = path;
        this.resource = path.toString();
        this.arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            this.file = size == 0 ? MemorySegment.NULL.reinterpret(0) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            List<Segment> l = new ArrayList<>();
            List<Note> n = new ArrayList<>();
            parse(l, n);
            this.loads = Collections.unmodifiableList(l);
            this.notes = Collections.unmodifiableList(n);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    static CoreFile open(Path path) throws IOException {
        return new CoreFile(path);
    }

    /** True if the file starts like an ELF core (either byte order, any machine: the import then says what is wrong). */
    static boolean looksLike(Path p) throws IOException {
        if (!Files.isRegularFile(p)) return false;
        byte[] h;
        try (InputStream in = Files.newInputStream(p)) {
            h = in.readNBytes(18);
        }
        if (h.length < 18 || !Arrays.equals(h, 0, 4, Elf.MAGIC, 0, 4)) return false;
        int type = h[5] == 2 ? ((h[16] & 0xff) << 8) | (h[17] & 0xff) : (h[16] & 0xff) | ((h[17] & 0xff) << 8);
        return type == Elf.ET_CORE;
    }

    String resource() { return resource; }

    long length() { return file.byteSize(); }

    /** PT_LOAD segments in file order. */
    List<Segment> loads() { return loads; }

    List<Note> notes() { return notes; }

    CorruptImageException corrupt(long offset, String msg) {
        return new CorruptImageException(resource, offset, msg);
    }

    /** {@code length} bytes at {@code offset}, or an error naming the file, the offset and what was being read. */
    MemorySegment slice(long offset, long length, String what) throws CorruptImageException {
        if (offset < 0 || length < 0 || offset > file.byteSize() || length > file.byteSize() - offset) {
            throw corrupt(offset, what + " (" + length + " bytes) runs past the end of the file (" + file.byteSize()
                    + " bytes): file truncated?");
        }
        return file.asSlice(offset, length);
    }

    private void parse(List<Segment> l, List<Note> n) throws CorruptImageException {
        MemorySegment eh = slice(0, Elf.EHDR_SIZE, "ELF header");
        if (!Arrays.equals(eh.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE), Elf.MAGIC)) throw corrupt(0, "not an ELF file");
        if (eh.get(ValueLayout.JAVA_BYTE, 4) != Elf.ELFCLASS64) throw corrupt(4, "not a 64-bit ELF file: only x86-64 cores are supported");
        if (eh.get(ValueLayout.JAVA_BYTE, 5) != Elf.ELFDATA2LSB) throw corrupt(5, "big-endian ELF file: only x86-64 cores are supported");
        int type = Short.toUnsignedInt(eh.get(U16, 16));
        if (type != Elf.ET_CORE) throw corrupt(16, "ELF type " + type + " is not ET_CORE (4): not a core file");
        int machine = Short.toUnsignedInt(eh.get(U16, 18));
        if (machine != Elf.EM_X86_64) throw corrupt(18, "ELF machine " + machine + " is not x86-64 (62): only x86-64 cores are supported");
        long phoff = eh.get(U64, 32);
        long shoff = eh.get(U64, 40);
        int phentsize = Short.toUnsignedInt(eh.get(U16, 54));
        long phnum = Short.toUnsignedInt(eh.get(U16, 56));
        if (phentsize != Elf.PHDR_SIZE) throw corrupt(54, "program header size " + phentsize + ", expected " + Elf.PHDR_SIZE);
        if (phnum == Elf.PN_XNUM) {
            MemorySegment sh0 = slice(shoff, Elf.SHDR_SIZE, "section header 0 (holds the segment count)");
            phnum = Integer.toUnsignedLong(sh0.get(U32, 44));
        }
        if (phnum > MAX_SEGMENTS) throw corrupt(56, phnum + " program headers; at most " + MAX_SEGMENTS + " are read");
        MemorySegment ph = slice(phoff, phnum * Elf.PHDR_SIZE, phnum + " program headers");
        for (long i = 0; i < phnum; i++) {
            long at = i * Elf.PHDR_SIZE;
            int ptype = ph.get(U32, at);
            int flags = ph.get(U32, at + 4);
            long off = ph.get(U64, at + 8), vaddr = ph.get(U64, at + 16), filesz = ph.get(U64, at + 32), memsz = ph.get(U64, at + 40);
            long where = phoff + at;
            if (ptype == Elf.PT_LOAD) {
                if (Long.compareUnsigned(filesz, memsz) > 0) throw corrupt(where + 32, "segment " + i + ": p_filesz " + filesz + " > p_memsz " + memsz);
                if ((vaddr & (Elf.PAGE - 1)) != 0 || (memsz & (Elf.PAGE - 1)) != 0) {
                    throw corrupt(where + 16, "segment " + i + " at 0x" + Long.toHexString(vaddr) + " (+0x" + Long.toHexString(memsz) + ") is not page aligned");
                }
                if (memsz < 0 || Long.compareUnsigned(vaddr + memsz, vaddr) < 0 && vaddr + memsz != 0) {
                    throw corrupt(where + 40, "segment " + i + " wraps around the address space");
                }
                slice(off, filesz, "segment " + i + " at 0x" + Long.toHexString(vaddr));
                l.add(new Segment(off, vaddr, filesz, memsz, flags));
            } else if (ptype == Elf.PT_NOTE) {
                if (Long.compareUnsigned(filesz, MAX_NOTES) > 0) throw corrupt(where + 32, "note segment of " + Long.toUnsignedString(filesz) + " bytes");
                parseNotes(off, slice(off, filesz, "note segment " + i), n);
            }
        }
        checkOverlaps(l, phoff);
    }

    /** Segments must not overlap (a process's areas do not): checked on the sorted list, so in O(n log n). */
    private void checkOverlaps(List<Segment> l, long phoff) throws CorruptImageException {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) if (l.get(i).memsz() > 0) order.add(i);
        order.sort((a, b) -> Long.compareUnsigned(l.get(a).vaddr(), l.get(b).vaddr()));
        for (int k = 1; k < order.size(); k++) {
            Segment prev = l.get(order.get(k - 1)), s = l.get(order.get(k));
            if (Long.compareUnsigned(s.vaddr(), prev.vaddr() + prev.memsz() - 1) <= 0) {
                throw corrupt(phoff, "the segment at 0x" + Long.toHexString(s.vaddr()) + " overlaps the segment at 0x"
                        + Long.toHexString(prev.vaddr()));
            }
        }
    }

    private void parseNotes(long base, MemorySegment seg, List<Note> out) throws CorruptImageException {
        long p = 0, size = seg.byteSize();
        while (p < size) {
            if (size - p < 12) throw corrupt(base + p, "note header runs past the end of the note segment");
            long namesz = Integer.toUnsignedLong(seg.get(U32, p));
            long descsz = Integer.toUnsignedLong(seg.get(U32, p + 4));
            int type = seg.get(U32, p + 8);
            long nameAt = p + 12, descAt = nameAt + align4(namesz), next = descAt + align4(descsz);
            if (next > size) throw corrupt(base + p, "note of type 0x" + Integer.toHexString(type) + " (" + descsz + " bytes) runs past the end of the note segment");
            byte[] nb = seg.asSlice(nameAt, namesz).toArray(ValueLayout.JAVA_BYTE);
            int len = 0;
            while (len < nb.length && nb[len] != 0) len++;
            out.add(new Note(new String(nb, 0, len, StandardCharsets.US_ASCII), type, seg.asSlice(descAt, descsz), base + descAt));
            p = next;
        }
    }

    private static long align4(long v) {
        return (v + 3) & ~3L;
    }

    @Override
    public void close() {
        arena.close();
    }
}
