package dev.ckptkit.backend.elfcore;

import com.google.protobuf.CodedInputStream;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.table.MemoryAreaRow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a process's auxiliary vector for NT_AUXV (gdb needs AT_ENTRY and AT_PHDR to place a PIE executable).
 * The common tables do not hold it, so in order: the NT_AUXV an ELF core import kept, CRIU's mm image kept as a
 * native record (mm_entry.mm_saved_auxv, field 13), and last the copy the kernel put on the initial stack.
 */
final class AuxvSource {
    private static final String CRIU_MM = "criu/mm-%d.img";
    private static final int MM_SAVED_AUXV = 13;
    private static final int PAGE = Elf.PAGE;
    /** How much of the top of the stack to search: the kernel puts the vector within the first pages. */
    private static final int STACK_SCAN_PAGES = 32;
    private static final long AT_PAGESZ = 6;

    private AuxvSource() {}

    /** The NT_AUXV bytes, or null when nothing in the image gives them. */
    static byte[] find(CkptReader r, int pid, List<MemoryAreaRow> areas, Long sp) throws IOException {
        List<String> natives = r.nativeNames();
        if (natives.contains(CoreImporter.NATIVE_AUXV + pid)) return r.nativeRecord(CoreImporter.NATIVE_AUXV + pid);
        String mm = CRIU_MM.formatted(pid);
        if (natives.contains(mm)) {
            byte[] a = fromCriuMm(r.nativeRecord(mm));
            if (a != null) return a;
        }
        return sp == null ? null : fromStack(r.pages(), pid, areas, sp);
    }

    /** A CRIU image file is two magics, then a u32 length and one mm_entry message. */
    static byte[] fromCriuMm(byte[] img) throws IOException {
        if (img.length < 12) return null;
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        int len = b.getInt(8);
        if (len < 0 || len > img.length - 12) return null;
        CodedInputStream in = CodedInputStream.newInstance(img, 12, len);
        List<Long> v = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag >>> 3 != MM_SAVED_AUXV) {
                in.skipField(tag);
            } else if ((tag & 7) == 2) {  // packed
                int limit = in.pushLimit(in.readRawVarint32());
                while (in.getBytesUntilLimit() > 0) v.add(in.readUInt64());
                in.popLimit(limit);
            } else {
                v.add(in.readUInt64());
            }
        }
        return pairsUpToNull(v);
    }

    private static byte[] pairsUpToNull(List<Long> v) {
        List<Long> pairs = new ArrayList<>();
        for (int i = 0; i + 1 < v.size(); i += 2) {
            pairs.add(v.get(i));
            pairs.add(v.get(i + 1));
            if (v.get(i) == Elf.AT_NULL) break;
        }
        if (pairs.isEmpty()) return null;
        if (pairs.get(pairs.size() - 2) != Elf.AT_NULL) pairs.addAll(List.of(0L, 0L));
        ByteBuffer out = ByteBuffer.allocate(8 * pairs.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : pairs) out.putLong(x);
        return out.array();
    }

    /**
     * Looks in the top pages of the stack area for the vector: right after envp's NULL, (type, value) pairs with
     * small types, AT_PAGESZ = 4096 and an AT_ENTRY, ending in AT_NULL.
     */
    static byte[] fromStack(PageStore pages, int pid, List<MemoryAreaRow> areas, long sp) throws IOException {
        MemoryAreaRow stack = null;
        for (MemoryAreaRow a : areas) {
            if (Long.compareUnsigned(sp, a.start()) >= 0 && Long.compareUnsigned(sp, a.end()) < 0) stack = a;
        }
        if (stack == null) return null;
        long from = Math.max(sp & -PAGE, stack.end() - (long) STACK_SCAN_PAGES * PAGE);
        int n = (int) ((stack.end() - from) / PAGE);
        byte[] buf = new byte[n * PAGE];
        for (int i = 0; i < n; i++) pages.read(pid, from + (long) i * PAGE, buf, i * PAGE);
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = 8; p + 16 <= buf.length; p += 8) {
            if (b.getLong(p - 8) != 0) continue;
            int end = vectorEnd(b, p);
            if (end > 0) return java.util.Arrays.copyOfRange(buf, p, end);
        }
        return null;
    }

    private static int vectorEnd(ByteBuffer b, int p) {
        boolean pageSize = false, entry = false;
        for (int q = p; q + 16 <= b.limit() && q - p < 64 * 16; q += 16) {
            long type = b.getLong(q), value = b.getLong(q + 8);
            if (type == Elf.AT_NULL) return pageSize && entry ? q + 16 : -1;
            if (type < 0 || type > 64) return -1;
            if (type == AT_PAGESZ) pageSize = value == PAGE;
            if (type == Elf.AT_ENTRY) entry = value != 0;
        }
        return -1;
    }
}
