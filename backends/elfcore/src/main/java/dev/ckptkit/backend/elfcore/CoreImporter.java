package dev.ckptkit.backend.elfcore;

import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.ThreadRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an x86-64 core (gcore output or a kernel core dump) into one CKPT image: a process row from NT_PRPSINFO and
 * the initial stack, a thread per NT_PRSTATUS with the NT_FPREGSET / NT_X86_XSTATE that follow it, memory areas from
 * PT_LOAD and NT_FILE, and page contents from the segments. NT_AUXV and NT_SIGINFO are kept as native records so an
 * export gives them back.
 *
 * <p>{@code memory_areas.status} bits of this backend: {@link #STATUS_NOT_IN_CORE} (the area is only listed in
 * NT_FILE; the core has no segment for it), {@link #STATUS_PARTIAL} (the segment's p_filesz is smaller than its
 * p_memsz: the rest of its contents is not in the core).
 */
final class CoreImporter {
    static final long STATUS_NOT_IN_CORE = 1;
    static final long STATUS_PARTIAL = 2;
    static final String NATIVE_AUXV = "elfcore/auxv-";
    static final String NATIVE_SIGINFO = "elfcore/siginfo-";
    private static final long VSYSCALL = 0xffffffffff600000L;
    private static final long BRK_RANDOM = 1L << 30;
    private static final String DELETED = " (deleted)";
    /** Bounds that keep a hostile core from filling the heap: the kernel caps NT_FILE at 16 MiB (core_file_note_size_limit). */
    private static final long MAX_FILE_NOTE = 16L << 20, MAX_NOTE = 1L << 20;
    private static final int MAX_THREADS = 1 << 14;
    private static final int MAP_PRIVATE = 0x2, MAP_ANONYMOUS = 0x20, MAP_GROWSDOWN = 0x100;

    private CoreImporter() {}

    /** A thread's notes as they come: NT_PRSTATUS, then the register sets that belong to it. */
    private static final class ThreadNotes {
        final X86Notes.PrStatus status;
        MemorySegment fpregset, xstate, siginfo;

        ThreadNotes(X86Notes.PrStatus status) { this.status = status; }
    }

    static void importCore(CoreFile core, String sourceName, ImportContext ctx) throws IOException {
        List<ThreadNotes> threads = new ArrayList<>();
        X86Notes.PrPsInfo ps = null;
        MemorySegment auxvBytes = null;
        List<MappedFile> files = List.of();
        boolean gdb = false;
        for (Note n : core.notes()) {
            ThreadNotes last = threads.isEmpty() ? null : threads.getLast();
            long limit = n.type() == Elf.NT_FILE ? MAX_FILE_NOTE : MAX_NOTE;
            if (n.desc().byteSize() > limit) {
                throw core.corrupt(n.offset(), "note of type 0x" + Integer.toHexString(n.type()) + " has " + n.desc().byteSize()
                        + " bytes; a core writer makes at most " + limit);
            }
            switch (n.type()) {
                case Elf.NT_PRSTATUS -> {
                    need(core, n, Elf.PRSTATUS_SIZE, "NT_PRSTATUS");
                    if (threads.size() == MAX_THREADS) throw core.corrupt(n.offset(), "more than " + MAX_THREADS + " threads (NT_PRSTATUS notes)");
                    threads.add(new ThreadNotes(X86Notes.prstatus(n.desc())));
                }
                case Elf.NT_PRPSINFO -> {
                    need(core, n, Elf.PRPSINFO_SIZE, "NT_PRPSINFO");
                    ps = X86Notes.prpsinfo(n.desc());
                }
                case Elf.NT_AUXV -> auxvBytes = n.desc();
                case Elf.NT_FILE -> files = sortedFiles(core, n, X86Notes.files(n, core));
                case Elf.NT_FPREGSET -> {
                    if (last != null && n.name().equals("CORE")) {
                        need(core, n, Elf.FXSAVE_SIZE, "NT_FPREGSET");
                        last.fpregset = n.desc();
                    }
                }
                case Elf.NT_X86_XSTATE -> {
                    if (last != null) {
                        need(core, n, Elf.XSAVE_HEADER + 64, "NT_X86_XSTATE");
                        last.xstate = n.desc();
                    }
                }
                case Elf.NT_SIGINFO -> {
                    if (last != null) last.siginfo = n.desc();
                }
                case Elf.NT_GDB_TDESC -> gdb = true;
                default -> { }
            }
        }
        if (ps == null && threads.isEmpty()) throw core.corrupt(0, "no NT_PRSTATUS or NT_PRPSINFO note: cannot tell which process this is");
        int pid = ps != null ? ps.pid() : threads.getFirst().status.pid();
        long[] auxv = auxvBytes == null ? new long[0] : X86Notes.auxv(auxvBytes);
        CoreMemory mem = new CoreMemory(core);

        List<ThreadRow> threadRows = new ArrayList<>();
        String comm = ps != null ? ps.fname() : null;
        for (ThreadNotes t : threads) threadRows.add(threadRow(pid, comm, t));
        String exe = exePath(mem, auxv, files);
        List<MemoryAreaRow> areas = areas(pid, mem, files, auxv, exe, threads.isEmpty() ? 0 : threads.getFirst().status.regs().get(Elf.REG_RSP));
        ProcessRow proc = processRow(pid, ps, threads, mem, auxvBytes, exe);

        byte[] identity = (sourceName + "|" + core.length() + "|" + pid).getBytes(StandardCharsets.UTF_8);
        try (CkptWriter w = ctx.createWriter(identity)) {
            w.table(Tables.PROCESSES, List.of(proc));
            w.table(Tables.THREADS, threadRows);
            w.table(Tables.MEMORY_AREAS, areas);
            w.table(Tables.FILES, files(mem, files));
            if (auxvBytes != null) w.nativeRecord(NATIVE_AUXV + pid, auxvBytes.toArray(ValueLayout.JAVA_BYTE));
            // one per core: the signal that made it (the kernel writes it after the first thread's NT_PRSTATUS)
            for (ThreadNotes t : threads) {
                if (t.siginfo != null) {
                    w.nativeRecord(NATIVE_SIGINFO + pid, t.siginfo.toArray(ValueLayout.JAVA_BYTE));
                    break;
                }
            }
            long total = 0, done = 0;
            for (Segment s : mem.sorted()) total += s.filesz();
            // read, not copied from the mapping: one copy from the page cache instead of a fault per page
            try (FileChannel ch = FileChannel.open(core.path(), StandardOpenOption.READ)) {
                for (Segment s : mem.sorted()) {
                    mem.contents(s);  // checks the segment lies inside the file
                    try {
                        w.pages().addFrom(pid, s.vaddr(), s.filesz() / Elf.PAGE, ch, s.offset());
                    } catch (java.io.EOFException e) {
                        throw core.corrupt(s.offset(), "segment contents end early (file changed while reading?)");
                    }
                    done += s.filesz();
                    ctx.progress().update("pages", done, total);
                }
            }
            w.manifest(new Manifest(Manifest.SCHEMA,
                    new Manifest.Producer(ElfCoreBackend.NAME, null, sourceName, gdb ? "gdb gcore" : "kernel core dump", null),
                    "kernel", new Manifest.Host(null, null, "x86_64", Elf.PAGE, null, null, null, null, null),
                    ctx.capturedAt(), new Manifest.ProcessTree(pid, 1, threadRows.size(), List.of(pid)), null,
                    ctx.labels().isEmpty() ? null : ctx.labels()));
            w.commit();
        }
    }

    private static void need(CoreFile core, Note n, int size, String what) throws CorruptImageException {
        if (n.desc().byteSize() < size) {
            throw core.corrupt(n.offset(), what + " note of " + n.desc().byteSize() + " bytes, expected " + size + " (not an x86-64 core?)");
        }
    }

    private static ThreadRow threadRow(int pid, String comm, ThreadNotes t) {
        byte[] fp = null;
        String format = null;
        Long xstateBv = null;
        if (t.xstate != null) {
            fp = t.xstate.toArray(ValueLayout.JAVA_BYTE);
            format = "xsave";
            xstateBv = t.xstate.get(ValueLayout.JAVA_LONG_UNALIGNED, Elf.XSAVE_HEADER);
        } else if (t.fpregset != null) {
            fp = t.fpregset.asSlice(0, Elf.FXSAVE_SIZE).toArray(ValueLayout.JAVA_BYTE);
            format = "fxsave";
        }
        long origRax = t.status.regs().get(Elf.REG_ORIG_RAX);
        return new ThreadRow(pid, t.status.pid(), comm, "x86_64", t.status.regs(), fp, format, xstateBv,
                t.status.sigHeld(), t.status.sigPending(), origRax >= 0 ? origRax : null);
    }

    /**
     * One row per file NT_FILE names (a core records mapped files, not descriptors), with the build-id when the
     * file's header page is in the core. The kernel marks unlinked files with a " (deleted)" suffix.
     */
    private static List<FileRow> files(CoreMemory mem, List<MappedFile> mapped) throws CorruptImageException {
        Map<String, String> buildIds = new LinkedHashMap<>();
        for (MappedFile f : mapped) {
            MappedElf elf = f.pageOffset() == 0 ? MappedElf.at(mem, f.start()) : null;
            String id = elf == null ? null : elf.buildId();
            if (!buildIds.containsKey(f.path()) || buildIds.get(f.path()) == null) buildIds.put(f.path(), id);
        }
        List<FileRow> rows = new ArrayList<>();
        long id = 1;
        for (Map.Entry<String, String> e : buildIds.entrySet()) {
            boolean deleted = e.getKey().endsWith(DELETED);
            String path = deleted ? e.getKey().substring(0, e.getKey().length() - DELETED.length()) : e.getKey();
            rows.add(new FileRow(id++, "reg", path, 0, null, null, null, null, null, deleted, null, e.getValue()));
        }
        return rows;
    }

    /** The executable: the file mapped at AT_PHDR, else AT_EXECFN, else the first mapped file. */
    private static String exePath(CoreMemory mem, long[] auxv, List<MappedFile> files) throws CorruptImageException {
        long phdr = X86Notes.auxvValue(auxv, Elf.AT_PHDR);
        MappedFile f = phdr == 0 ? null : fileAt(files, phdr);
        if (f != null) return f.path();
        long execfn = X86Notes.auxvValue(auxv, Elf.AT_EXECFN);
        String s = execfn == 0 ? null : mem.readCString(execfn, 4096);
        return s != null || files.isEmpty() ? s : files.getFirst().path();
    }

    private static ProcessRow processRow(int pid, X86Notes.PrPsInfo ps, List<ThreadNotes> threads, CoreMemory mem,
                                         MemorySegment auxvBytes, String exe) throws CorruptImageException {
        List<String> argv = null, env = null;
        if (auxvBytes != null && !threads.isEmpty()) {
            CoreMemory.InitialStack st = mem.initialStack(threads.getFirst().status.regs().get(Elf.REG_RSP), auxvBytes);
            if (st != null) {
                argv = st.argv();
                env = st.env();
            }
        }
        if (argv == null && ps != null && !ps.psargs().isEmpty()) argv = List.of(ps.psargs().split(" "));
        X86Notes.PrStatus first = threads.isEmpty() ? null : threads.getFirst().status;
        int pgrp = ps != null ? ps.pgrp() : first.pgrp();
        int sid = ps != null ? ps.sid() : first.sid();
        // a core holds one process, so its parent is outside the image: 0, as the processes table defines
        return new ProcessRow(pid, 0, pgrp, sid, ps == null ? null : ps.fname(), exe, argv, env,
                ps == null ? null : ps.uid(), null, null, null, ps == null ? null : ps.gid(), null, null, null, null,
                null, null, null, null, ps == null ? null : state(ps.stateLetter()), null, threads.size());
    }

    static String state(char letter) {
        return switch (letter) {
            case 'R' -> "running";
            case 'S', 'D', 'I' -> "sleeping";
            case 'T', 't' -> "stopped";
            case 'Z' -> "zombie";
            case 'X' -> "dead";
            default -> null;
        };
    }

    /** One area per PT_LOAD (named from NT_FILE when a file is mapped there), plus NT_FILE ranges no segment covers. */
    private static List<MemoryAreaRow> areas(int pid, CoreMemory mem, List<MappedFile> files, long[] auxv, String exe, long sp)
            throws CorruptImageException {
        long vdso = X86Notes.auxvValue(auxv, Elf.AT_SYSINFO_EHDR);
        long exeEnd = 0;
        for (MappedFile f : files) if (f.path().equals(exe) && Long.compareUnsigned(f.end(), exeEnd) > 0) exeEnd = f.end();
        boolean heapSeen = false;
        List<MemoryAreaRow> rows = new ArrayList<>();
        for (Segment s : mem.sorted()) {
            MappedFile f = fileAt(files, s.vaddr());
            boolean stack = Long.compareUnsigned(sp, s.vaddr()) >= 0 && Long.compareUnsigned(sp - s.vaddr(), s.memsz()) < 0;
            // the brk heap starts at most 1 GiB after the end of the executable (arch_randomize_brk, 64-bit)
            boolean heap = f == null && !heapSeen && exeEnd != 0 && Long.compareUnsigned(s.vaddr(), exeEnd) >= 0
                    && s.vaddr() - exeEnd <= BRK_RANDOM && s.prot() == 3;
            heapSeen |= heap;
            // the kernel maps vvar right below the vdso and never dumps it
            boolean vvar = f == null && vdso != 0 && s.end() == vdso && s.filesz() == 0;
            String kind = f != null ? "file" : s.vaddr() == vdso && vdso != 0 ? "vdso" : vvar ? "vvar" : s.vaddr() == VSYSCALL ? "vsyscall"
                    : stack ? "stack" : heap ? "heap" : "anon";
            int flags = MAP_PRIVATE | (f == null ? MAP_ANONYMOUS : 0) | (stack ? MAP_GROWSDOWN : 0);
            long pgoff = f == null ? 0 : f.pageOffset() * Elf.PAGE + (s.vaddr() - f.start());
            rows.add(new MemoryAreaRow(pid, s.vaddr(), s.end(), s.prot(), flags, pgoff, f == null ? null : f.path(), kind,
                    null, null, s.filesz() < s.memsz() ? STATUS_PARTIAL : 0L));
        }
        Map<String, MappedElf> elves = new LinkedHashMap<>();
        for (MappedFile f : files) {
            if (f.pageOffset() == 0 && !elves.containsKey(f.path())) {
                MappedElf elf = MappedElf.at(mem, f.start());
                if (elf != null) elves.put(f.path(), elf);
            }
        }
        for (MappedFile f : files) {
            for (long[] gap : uncovered(f.start(), f.end(), mem)) {
                long pgoff = f.pageOffset() * Elf.PAGE + (gap[0] - f.start());
                // not in the core: its protection is the one of the file's segment mapped there, else read-only
                MappedElf elf = elves.get(f.path());
                Integer prot = elf == null ? null : elf.protAt(pgoff);
                rows.add(new MemoryAreaRow(pid, gap[0], gap[1], prot == null ? 1 : prot, MAP_PRIVATE, pgoff,
                        f.path(), "file", null, null, STATUS_NOT_IN_CORE));
            }
        }
        rows.sort(Comparator.comparing(MemoryAreaRow::start, Long::compareUnsigned));
        return mergeWithinMappings(rows, files);
    }

    /**
     * Pieces of one NT_FILE mapping (a kernel VMA) that the segments split, joined back into one area when they
     * continue each other with the same protection; so an image exported and imported again keeps its areas.
     */
    private static List<MemoryAreaRow> mergeWithinMappings(List<MemoryAreaRow> rows, List<MappedFile> files) {
        List<MemoryAreaRow> out = new ArrayList<>();
        for (MemoryAreaRow r : rows) {
            MemoryAreaRow last = out.isEmpty() ? null : out.getLast();
            if (last != null && r.path() != null && r.path().equals(last.path()) && last.end() == r.start()
                    && last.prot() == r.prot() && last.pgoff() + (last.end() - last.start()) == r.pgoff()
                    && fileAt(files, last.start()) == fileAt(files, r.start())) {
                long status = last.status() == r.status() && last.status() != STATUS_PARTIAL ? last.status() : STATUS_PARTIAL;
                out.set(out.size() - 1, new MemoryAreaRow(last.pid(), last.start(), r.end(), last.prot(), last.flags(),
                        last.pgoff(), last.path(), last.kind(), null, null, status));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** NT_FILE entries by address; like the VMAs they describe they must be non-empty and must not overlap. */
    private static List<MappedFile> sortedFiles(CoreFile core, Note n, List<MappedFile> files) throws CorruptImageException {
        List<MappedFile> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparing(MappedFile::start, Long::compareUnsigned));
        for (int i = 0; i < sorted.size(); i++) {
            MappedFile f = sorted.get(i);
            if (Long.compareUnsigned(f.end(), f.start()) <= 0 || (i > 0 && Long.compareUnsigned(f.start(), sorted.get(i - 1).end()) < 0)) {
                throw core.corrupt(n.offset(), "NT_FILE entry 0x" + Long.toHexString(f.start()) + "-0x" + Long.toHexString(f.end())
                        + " is empty or overlaps another");
            }
        }
        return List.copyOf(sorted);
    }

    /** The NT_FILE entry mapping {@code va}, by binary search over the sorted, non-overlapping entries. */
    private static MappedFile fileAt(List<MappedFile> files, long va) {
        int lo = 0, hi = files.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            MappedFile f = files.get(mid);
            if (Long.compareUnsigned(va, f.start()) < 0) hi = mid - 1;
            else if (Long.compareUnsigned(va, f.end()) >= 0) lo = mid + 1;
            else return f;
        }
        return null;
    }

    /** Parts of [start, end) that no segment covers. */
    private static List<long[]> uncovered(long start, long end, CoreMemory mem) {
        List<long[]> out = new ArrayList<>();
        long at = start;
        List<Segment> sorted = mem.sorted();
        for (Segment s : sorted.subList(mem.firstEndingAbove(start), sorted.size())) {
            if (Long.compareUnsigned(s.end(), at) <= 0 && s.end() != 0) continue;
            if (Long.compareUnsigned(s.vaddr(), end) >= 0) break;
            if (Long.compareUnsigned(s.vaddr(), at) > 0) out.add(new long[] {at, s.vaddr()});
            at = s.end();
            if (Long.compareUnsigned(at, end) >= 0 || at == 0) return out;
        }
        if (Long.compareUnsigned(at, end) < 0) out.add(new long[] {at, end});
        return out;
    }
}
