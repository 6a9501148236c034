package dev.ckptkit.backend.elfcore;

import dev.ckptkit.io.AtomicFiles;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.ThreadRow;
import dev.ckptkit.io.table.Tables;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Writes the processes of a CKPT image as x86-64 ELF core files the way the kernel lays them out: ELF header,
 * program headers (PT_NOTE, then one PT_LOAD per memory area), the notes, then page-aligned segment contents.
 *
 * <p>Anonymous areas are dumped whole; pages the image does not hold read as zeros (CRIU leaves out pages that were
 * never touched) and are left as holes in a sparse file. File-backed areas are dumped only where the image has their
 * pages, and the runs it lacks become segments with p_filesz 0, as the kernel writes clean file mappings: gdb then
 * reads those bytes from the mapped file itself.
 */
final class CoreExporter {
    private static final int PAGE = Elf.PAGE;

    private final CkptReader image;
    private final List<ProcessRow> processes;
    private final List<ThreadRow> threads;
    private final List<MemoryAreaRow> areas;
    private final Long hostXcr0;

    CoreExporter(CkptReader image) throws IOException {
        this.image = image;
        var host = image.manifest().host();
        this.hostXcr0 = host == null ? null : host.xsaveFeatures();
        this.processes = image.table(Tables.PROCESSES);
        this.threads = image.table(Tables.THREADS);
        this.areas = image.table(Tables.MEMORY_AREAS);
    }

    /** The pids the image has anything for, ascending. */
    TreeSet<Integer> pids() {
        TreeSet<Integer> pids = new TreeSet<>();
        processes.forEach(p -> pids.add(p.pid()));
        threads.forEach(t -> pids.add(t.pid()));
        areas.forEach(a -> pids.add(a.pid()));
        return pids;
    }

    void export(Path output, Integer pid) throws IOException {
        TreeSet<Integer> pids = pids();
        if (pid != null) {
            if (!pids.contains(pid)) {
                throw new IOException(image.path() + ": no process with pid " + pid + " in the image (pids: " + list(pids) + ")");
            }
            writeCore(pid, output);
            return;
        }
        if (pids.isEmpty()) throw new IOException(image.path() + ": the image holds no process to write a core of");
        AtomicFiles.writeDirectory(output, dir -> {
            for (int p : pids) writeCore(p, dir.resolve("core." + p));
        });
    }

    private static String list(TreeSet<Integer> pids) {
        if (pids.isEmpty()) return "none";
        List<String> s = new ArrayList<>();
        for (int p : pids) {
            if (s.size() == 20) {
                s.add("...");
                break;
            }
            s.add(Integer.toString(p));
        }
        return String.join(", ", s);
    }

    /** A PT_LOAD to write: the first {@code filesz} bytes of [vaddr, vaddr + memsz) are in the file. */
    record Planned(long vaddr, long memsz, long filesz, int flags) {
        boolean dumped() { return filesz > 0; }
    }

    void writeCore(int pid, Path target) throws IOException {
        ProcessRow proc = processes.stream().filter(p -> p.pid() == pid).findFirst().orElse(null);
        // in table order: an imported core keeps its first thread (the one that got the signal) first, and gdb shows
        // the first thread as the current one
        List<ThreadRow> ts = threads.stream().filter(t -> t.pid() == pid).toList();
        for (ThreadRow t : ts) {
            if (!"x86_64".equals(t.arch()) || t.gpRegs() == null || t.gpRegs().size() != Elf.GP_REGS) {
                throw new IOException(image.path() + ": thread " + t.tid() + " of pid " + pid + " has " + t.arch()
                        + " registers (" + (t.gpRegs() == null ? 0 : t.gpRegs().size()) + "): elf-core writes x86-64 cores only");
            }
        }
        List<MemoryAreaRow> mine = new ArrayList<>(areas.stream().filter(a -> a.pid() == pid).toList());
        mine.sort(Comparator.comparing(MemoryAreaRow::start, Long::compareUnsigned));
        PageStore pages = image.pages();
        List<Planned> plan = plan(pid, mine, pages);
        Long sp = ts.isEmpty() ? null : ts.getFirst().gpRegs().get(Elf.REG_RSP);
        byte[] notes = notes(pid, proc, ts, mine, AuxvSource.find(image, pid, mine, sp));

        long phnum = plan.size() + 1L;
        boolean extended = phnum >= Elf.PN_XNUM;
        long headers = Elf.EHDR_SIZE + phnum * Elf.PHDR_SIZE;
        long notesAt = headers;
        long offset = align(notesAt + notes.length);
        long[] offsets = new long[plan.size()];
        for (int i = 0; i < plan.size(); i++) {
            offsets[i] = offset;
            offset += plan.get(i).filesz();
        }
        long shoff = extended ? offset : 0;
        long total = offset + (extended ? Elf.SHDR_SIZE : 0);

        ByteBuffer h = ByteBuffer.allocate((int) headers).order(ByteOrder.LITTLE_ENDIAN);
        h.put(Elf.MAGIC).put((byte) Elf.ELFCLASS64).put((byte) Elf.ELFDATA2LSB).put((byte) 1).put((byte) 0);
        h.position(16);
        h.putShort((short) Elf.ET_CORE).putShort((short) Elf.EM_X86_64).putInt(1).putLong(0).putLong(Elf.EHDR_SIZE)
                .putLong(shoff).putInt(0).putShort((short) Elf.EHDR_SIZE).putShort((short) Elf.PHDR_SIZE)
                .putShort((short) (extended ? Elf.PN_XNUM : phnum)).putShort((short) (extended ? Elf.SHDR_SIZE : 0))
                .putShort((short) (extended ? 1 : 0)).putShort((short) 0);
        phdr(h, Elf.PT_NOTE, 0, notesAt, 0, notes.length, 0, 0);
        for (int i = 0; i < plan.size(); i++) {
            Planned p = plan.get(i);
            phdr(h, Elf.PT_LOAD, p.flags(), offsets[i], p.vaddr(), p.filesz(), p.memsz(), PAGE);
        }

        Path abs = target.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                writeFully(ch, h.flip(), 0);
                writeFully(ch, ByteBuffer.wrap(notes), notesAt);
                writePages(ch, pid, pages, plan, offsets);
                if (extended) {
                    ByteBuffer sh = ByteBuffer.allocate(Elf.SHDR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                    sh.putInt(44, (int) phnum);  // sh_info: the real segment count
                    writeFully(ch, sh, shoff);
                }
                if (ch.size() < total) writeFully(ch, ByteBuffer.allocate(1), total - 1);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * One segment per area, except file-backed areas, which split into runs of pages the image holds (dumped)
     * and runs it lacks (p_filesz 0). vvar and inaccessible areas without pages are never dumped: the kernel
     * does not dump them either, and vvar must not be read.
     */
    private static List<Planned> plan(int pid, List<MemoryAreaRow> areas, PageStore pages) throws IOException {
        List<Planned> out = new ArrayList<>();
        for (MemoryAreaRow a : areas) {
            int flags = Segment.flagsOf(a.prot());
            long first = pages.lowerBound(pid, a.start());
            boolean any = first < pages.size() && pages.pidAt(first) == pid && Long.compareUnsigned(pages.vaddrAt(first), a.end()) < 0;
            boolean file = a.path() != null && !"shmem".equals(a.kind());
            if (!file) {
                boolean dump = any || !("vvar".equals(a.kind()) || "vsyscall".equals(a.kind()) || a.prot() == 0);
                out.add(new Planned(a.start(), a.end() - a.start(), dump ? a.end() - a.start() : 0, flags));
                continue;
            }
            long runStart = a.start();
            boolean runHas = false;
            long i = first;
            for (long va = a.start(); Long.compareUnsigned(va, a.end()) < 0; va += PAGE) {
                while (i < pages.size() && pages.pidAt(i) == pid && Long.compareUnsigned(pages.vaddrAt(i), va) < 0) i++;
                boolean has = i < pages.size() && pages.pidAt(i) == pid && pages.vaddrAt(i) == va
                        && pages.pageAt(i) != dev.ckptkit.spec.CkptFormat.PAGE_ABSENT;
                if (va != a.start() && has != runHas) {
                    run(out, runStart, va, runHas, flags);
                    runStart = va;
                }
                runHas = has;
            }
            run(out, runStart, a.end(), runHas, flags);
            if (a.pgoff() == 0) dropHeaderPage(out, a.start());
        }
        return out;
    }

    /**
     * Adds a run of pages the image has (or lacks); a lacking run right after a run it has joins it as the segment's
     * tail beyond p_filesz, the way the kernel writes a mapping of which it dumped only the start.
     */
    private static void run(List<Planned> out, long from, long to, boolean has, int flags) {
        Planned last = out.isEmpty() ? null : out.getLast();
        if (!has && last != null && last.dumped() && last.filesz() == last.memsz() && last.vaddr() + last.memsz() == from
                && last.flags() == flags) {
            out.set(out.size() - 1, new Planned(last.vaddr(), to - last.vaddr(), last.filesz(), flags));
        } else {
            out.add(new Planned(from, to - from, has ? to - from : 0, flags));
        }
    }

    /**
     * The kernel always dumps the first page of a file mapping that starts at offset 0 (the ELF header page), and gdb
     * relies on it: it reads the program headers at AT_PHDR to check where a PIE executable was loaded. An image that
     * lacks that page gets no segment there rather than an empty one, since gdb would read an empty one as zeros and
     * conclude the executable was not relocated; with no segment the read fails and gdb trusts AT_ENTRY.
     */
    private static void dropHeaderPage(List<Planned> out, long start) {
        int i = out.size() - 1;
        while (i >= 0 && out.get(i).vaddr() != start) i--;
        if (i < 0 || out.get(i).dumped()) return;
        Planned run = out.remove(i);
        if (run.memsz() > PAGE) out.add(i, new Planned(start + PAGE, run.memsz() - PAGE, 0, run.flags()));
    }

    /** Writes every stored page of {@code pid} that falls in a dumped segment; the rest of the segment stays a hole. */
    private static void writePages(FileChannel ch, int pid, PageStore pages, List<Planned> plan, long[] offsets) throws IOException {
        long[] range = pages.range(pid);
        int s = 0;
        for (long i = range[0]; i < range[1]; i++) {
            long va = pages.vaddrAt(i), ref = pages.pageAt(i);
            if (ref < 0) continue;  // zero pages are holes; absent pages have no content to give
            while (s < plan.size() && Long.compareUnsigned(plan.get(s).vaddr() + plan.get(s).memsz(), va) <= 0
                    && plan.get(s).vaddr() + plan.get(s).memsz() != 0) s++;
            if (s == plan.size()) break;
            Planned p = plan.get(s);
            if (Long.compareUnsigned(va, p.vaddr()) < 0 || Long.compareUnsigned(va - p.vaddr(), p.filesz()) >= 0) continue;
            writeFully(ch, pages.page(ref).asByteBuffer(), offsets[s] + (va - p.vaddr()));
        }
    }

    private byte[] notes(int pid, ProcessRow proc, List<ThreadRow> ts, List<MemoryAreaRow> mine, byte[] auxv) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] siginfo = siginfo(pid);
        // every thread's pr_cursig is the signal that made the core, as the kernel writes it (gdb prints it)
        int cursig = siginfo == null || siginfo.length < 4 ? 0 : ByteBuffer.wrap(siginfo).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        int ppid = proc == null ? 0 : proc.ppid(), pgrp = proc == null ? pid : proc.pgid(), sid = proc == null ? pid : proc.sid();
        for (int k = 0; k < ts.size(); k++) {
            ThreadRow t = ts.get(k);
            byte[] fp = t.fpRegs() == null || t.fpRegs().length < Elf.FXSAVE_SIZE ? null : t.fpRegs();
            note(out, "CORE", Elf.NT_PRSTATUS, X86Notes.prstatus(new X86Notes.PrStatus(cursig, nz(t.sigPending()), nz(t.sigBlocked()),
                    t.tid(), ppid, pgrp, sid, t.gpRegs(), fp != null)));
            if (k == 0) processNotes(out, pid, proc, ppid, pgrp, sid, mine, auxv, siginfo);
            if (fp == null) continue;
            byte[] xstate = "xsave".equals(t.fpFormat()) && fp.length >= Elf.XSAVE_HEADER + 64 ? xstate(fp, t.xstateBv(), hostXcr0) : null;
            // the FXSAVE part of both notes is the same bytes, XCR0 in its software-reserved words included
            note(out, "CORE", Elf.NT_FPREGSET, java.util.Arrays.copyOf(xstate != null ? xstate : fp, Elf.FXSAVE_SIZE));
            if (xstate != null) note(out, "LINUX", Elf.NT_X86_XSTATE, xstate);
        }
        if (ts.isEmpty()) processNotes(out, pid, proc, ppid, pgrp, sid, mine, auxv, siginfo);
        return out.toByteArray();
    }

    private void processNotes(ByteArrayOutputStream out, int pid, ProcessRow proc, int ppid, int pgrp, int sid,
                              List<MemoryAreaRow> mine, byte[] auxv, byte[] siginfo) throws IOException {
        String comm = proc == null || proc.comm() == null ? "" : proc.comm();
        String args = proc == null || proc.cmdline() == null ? comm : String.join(" ", proc.cmdline());
        note(out, "CORE", Elf.NT_PRPSINFO, X86Notes.prpsinfo(new X86Notes.PrPsInfo(stateLetter(proc == null ? null : proc.state()),
                proc == null || proc.uid() == null ? 0 : proc.uid(), proc == null || proc.gid() == null ? 0 : proc.gid(),
                pid, ppid, pgrp, sid, comm, args)));
        if (siginfo != null) note(out, "CORE", Elf.NT_SIGINFO, siginfo);
        if (auxv != null) note(out, "CORE", Elf.NT_AUXV, auxv);
        List<MappedFile> files = new ArrayList<>();
        for (MemoryAreaRow a : mine) {
            if (a.path() != null) files.add(new MappedFile(a.start(), a.end(), a.pgoff() / PAGE, a.path()));
        }
        note(out, "CORE", Elf.NT_FILE, X86Notes.files(files));
    }

    /**
     * The XSAVE area as gdb reads it: gdb takes XCR0 from the FXSAVE software-reserved bytes and from it both the
     * registers to show and the exact size of the area. Producers do not all fill those bytes (CRIU keeps its own
     * values there), so XCR0 comes from the host's XSAVE features when the manifest has them, else from the stored
     * value and XSTATE_BV, completed to a combination a CPU can have; the area is cut or padded to the size it implies.
     */
    static byte[] xstate(byte[] fp, Long xstateBv, Long hostXcr0) {
        ByteBuffer b = ByteBuffer.wrap(fp).order(ByteOrder.LITTLE_ENDIAN);
        long bv = xstateBv != null ? xstateBv : b.getLong(Elf.XSAVE_HEADER);
        long xcr0 = hostXcr0 != null && hostXcr0 != 0 ? hostXcr0 : b.getLong(Elf.XSAVE_XCR0) | bv;
        xcr0 |= X87_SSE;
        if ((xcr0 & AVX512) != 0) xcr0 |= AVX512 | AVX;
        if ((xcr0 & MPX) != 0) xcr0 |= MPX;
        int size = (xcr0 & AMX) != 0 ? 11008 : (xcr0 & PKRU) != 0 ? 2696 : (xcr0 & AVX512) != 0 ? 2688
                : (xcr0 & MPX) != 0 ? 1088 : (xcr0 & AVX) != 0 ? 832 : 576;
        byte[] x = java.util.Arrays.copyOf(fp, size);
        ByteBuffer.wrap(x).order(ByteOrder.LITTLE_ENDIAN).putLong(Elf.XSAVE_XCR0, xcr0).putLong(Elf.XSAVE_HEADER, bv & xcr0);
        return x;
    }

    private static final long X87_SSE = 0x3, AVX = 0x4, MPX = 0x18, AVX512 = 0xe0, PKRU = 0x200, AMX = 0x60000;

    /** The NT_SIGINFO an ELF core import kept; a checkpoint has no signal of its own. */
    private byte[] siginfo(int pid) throws IOException {
        String name = CoreImporter.NATIVE_SIGINFO + pid;
        return image.nativeNames().contains(name) ? image.nativeRecord(name) : null;
    }

    private static char stateLetter(String state) {
        if (state == null) return 'S';
        return switch (state) {
            case "running" -> 'R';
            case "stopped" -> 'T';
            case "zombie" -> 'Z';
            case "dead" -> 'X';
            default -> 'S';
        };
    }

    private static long nz(Long v) { return v == null ? 0 : v; }

    private static void note(ByteArrayOutputStream out, String name, int type, byte[] desc) {
        byte[] nb = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(nb.length).putInt(desc.length).putInt(type);
        out.writeBytes(h.array());
        out.writeBytes(nb);
        out.writeBytes(new byte[pad4(nb.length)]);
        out.writeBytes(desc);
        out.writeBytes(new byte[pad4(desc.length)]);
    }

    private static int pad4(int n) { return (4 - (n & 3)) & 3; }

    private static long align(long v) { return (v + PAGE - 1) & -PAGE; }

    private static void phdr(ByteBuffer h, int type, int flags, long offset, long vaddr, long filesz, long memsz, long align) {
        h.putInt(type).putInt(flags).putLong(offset).putLong(vaddr).putLong(0).putLong(filesz).putLong(memsz).putLong(align);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) at += ch.write(b, at);
    }
}
