package dev.ckptkit.backend.elfcore;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Encoding and decoding of the x86-64 core notes (NT_PRSTATUS, NT_PRPSINFO, NT_FILE, NT_AUXV). */
final class X86Notes {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;

    private X86Notes() {}

    /** struct elf_prstatus: the thread's id, signals and user_regs_struct. */
    record PrStatus(int cursig, long sigPending, long sigHeld, int pid, int ppid, int pgrp, int sid, List<Long> regs, boolean fpValid) {}

    /** struct elf_prpsinfo: the process's ids, state letter, command name and first 80 bytes of its arguments. */
    record PrPsInfo(char stateLetter, long uid, long gid, int pid, int ppid, int pgrp, int sid, String fname, String psargs) {}

    static PrStatus prstatus(MemorySegment d) {
        List<Long> regs = new ArrayList<>(Elf.GP_REGS);
        for (int i = 0; i < Elf.GP_REGS; i++) regs.add(d.get(U64, Elf.PRSTATUS_REG + 8L * i));
        return new PrStatus(Short.toUnsignedInt(d.get(ValueLayout.JAVA_SHORT_UNALIGNED, Elf.PRSTATUS_CURSIG)),
                d.get(U64, Elf.PRSTATUS_SIGPEND), d.get(U64, Elf.PRSTATUS_SIGHOLD), d.get(U32, Elf.PRSTATUS_PID),
                d.get(U32, Elf.PRSTATUS_PPID), d.get(U32, Elf.PRSTATUS_PGRP), d.get(U32, Elf.PRSTATUS_SID), List.copyOf(regs),
                d.get(U32, Elf.PRSTATUS_FPVALID) != 0);
    }

    static byte[] prstatus(PrStatus s) {
        ByteBuffer b = le(Elf.PRSTATUS_SIZE);
        b.putInt(0, s.cursig()).putShort(Elf.PRSTATUS_CURSIG, (short) s.cursig());
        b.putLong(Elf.PRSTATUS_SIGPEND, s.sigPending()).putLong(Elf.PRSTATUS_SIGHOLD, s.sigHeld());
        b.putInt(Elf.PRSTATUS_PID, s.pid()).putInt(Elf.PRSTATUS_PPID, s.ppid()).putInt(Elf.PRSTATUS_PGRP, s.pgrp())
                .putInt(Elf.PRSTATUS_SID, s.sid());
        for (int i = 0; i < Elf.GP_REGS; i++) b.putLong(Elf.PRSTATUS_REG + 8 * i, s.regs().get(i));
        b.putInt(Elf.PRSTATUS_FPVALID, s.fpValid() ? 1 : 0);
        return b.array();
    }

    static PrPsInfo prpsinfo(MemorySegment d) {
        return new PrPsInfo((char) d.get(ValueLayout.JAVA_BYTE, Elf.PRPSINFO_SNAME),
                Integer.toUnsignedLong(d.get(U32, Elf.PRPSINFO_UID)), Integer.toUnsignedLong(d.get(U32, Elf.PRPSINFO_GID)),
                d.get(U32, Elf.PRPSINFO_PID), d.get(U32, Elf.PRPSINFO_PPID), d.get(U32, Elf.PRPSINFO_PGRP),
                d.get(U32, Elf.PRPSINFO_SID), cString(d, Elf.PRPSINFO_FNAME, Elf.FNAME_LEN),
                cString(d, Elf.PRPSINFO_PSARGS, Elf.PSARGS_LEN));
    }

    static byte[] prpsinfo(PrPsInfo p) {
        ByteBuffer b = le(Elf.PRPSINFO_SIZE);
        char s = p.stateLetter();
        // pr_state is the index of the letter in the kernel's "RSDTZW" list
        int state = Math.max(0, "RSDTZW".indexOf(s));
        b.put(Elf.PRPSINFO_STATE, (byte) state).put(Elf.PRPSINFO_SNAME, (byte) s).put(Elf.PRPSINFO_ZOMB, (byte) (s == 'Z' ? 1 : 0));
        b.putInt(Elf.PRPSINFO_UID, (int) p.uid()).putInt(Elf.PRPSINFO_GID, (int) p.gid());
        b.putInt(Elf.PRPSINFO_PID, p.pid()).putInt(Elf.PRPSINFO_PPID, p.ppid()).putInt(Elf.PRPSINFO_PGRP, p.pgrp())
                .putInt(Elf.PRPSINFO_SID, p.sid());
        putCString(b, Elf.PRPSINFO_FNAME, Elf.FNAME_LEN, p.fname());
        putCString(b, Elf.PRPSINFO_PSARGS, Elf.PSARGS_LEN, p.psargs());
        return b.array();
    }

    /** NT_FILE: count, page size, count x (start, end, page offset), then the NUL-terminated names. */
    static List<MappedFile> files(Note n, CoreFile core) throws dev.ckptkit.io.CorruptImageException {
        MemorySegment d = n.desc();
        if (d.byteSize() < 16) throw core.corrupt(n.offset(), "NT_FILE note of " + d.byteSize() + " bytes");
        long count = d.get(U64, 0), pageSize = d.get(U64, 8);
        if (count < 0 || count > (d.byteSize() - 16) / 24) throw core.corrupt(n.offset(), "NT_FILE claims " + Long.toUnsignedString(count) + " entries");
        long names = 16 + count * 24;
        List<MappedFile> out = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            long e = 16 + i * 24;
            long end = names;
            while (end < d.byteSize() && d.get(ValueLayout.JAVA_BYTE, end) != 0) end++;
            if (end >= d.byteSize()) throw core.corrupt(n.offset() + names, "NT_FILE name " + i + " is not terminated");
            String name = new String(d.asSlice(names, end - names).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            out.add(new MappedFile(d.get(U64, e), d.get(U64, e + 8), d.get(U64, e + 16) * pageSize / Elf.PAGE, name));
            names = end + 1;
        }
        return out;
    }

    static byte[] files(List<MappedFile> files) {
        List<byte[]> names = new ArrayList<>();
        int size = 16 + 24 * files.size();
        for (MappedFile f : files) {
            byte[] nb = f.path().getBytes(StandardCharsets.UTF_8);
            names.add(nb);
            size += nb.length + 1;
        }
        ByteBuffer b = le(size);
        b.putLong(files.size()).putLong(Elf.PAGE);
        for (MappedFile f : files) b.putLong(f.start()).putLong(f.end()).putLong(f.pageOffset());
        for (byte[] nb : names) b.put(nb).put((byte) 0);
        return b.array();
    }

    /** NT_AUXV as (type, value) pairs up to and including AT_NULL. */
    static long[] auxv(MemorySegment d) {
        int n = (int) (d.byteSize() / 16);
        long[] v = new long[2 * n];
        for (int i = 0; i < 2 * n; i++) v[i] = d.get(U64, 8L * i);
        return v;
    }

    static long auxvValue(long[] auxv, long type) {
        for (int i = 0; i + 1 < auxv.length; i += 2) {
            if (auxv[i] == type) return auxv[i + 1];
            if (auxv[i] == Elf.AT_NULL) break;
        }
        return 0;
    }

    static String cString(MemorySegment d, long at, int max) {
        byte[] b = d.asSlice(at, max).toArray(ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private static void putCString(ByteBuffer b, int at, int max, String s) {
        if (s == null) return;
        byte[] sb = s.getBytes(StandardCharsets.UTF_8);
        b.put(at, sb, 0, Math.min(sb.length, max - 1));
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
