package dev.ckptkit.backend.userspace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes images the way DMTCP 4.x's writeckpt.cpp and ckptserializer.cpp do (sources cited in DMTCP.md), for tests:
 * no DMTCP binary ran on this machine, so these stand in for real ckpt_*.dmtcp files. Field offsets come from the C
 * struct declarations restated below and laid out with the x86-64 C rules, never from {@link DmtcpFormat}, so a wrong
 * importer constant shows up as a failing test. Content is seeded random, so every page can be checked after import.
 */
final class DmtcpImages {
    static final int PAGE = 4096;
    static final int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20;
    static final long ZERO_PAGE = 0x1, PARENT = 0x4, CHILD = 0x8;  // enum ProcMapsAreaProperties

    /** A C struct laid out field by field: each field at the next offset aligned to its natural alignment. */
    static final class CStruct {
        final Map<String, Integer> offsets = new LinkedHashMap<>();
        int size;

        CStruct field(String name, int bytes, int align) {
            size = (size + align - 1) / align * align;
            offsets.put(name, size);
            size += bytes;
            return this;
        }

        CStruct u64(String... names) { for (String n : names) field(n, 8, 8); return this; }
        CStruct u32(String... names) { for (String n : names) field(n, 4, 4); return this; }
        CStruct chars(String name, int n) { return field(name, n, 1); }

        int at(String name) {
            Integer o = offsets.get(name);
            if (o == null) throw new IllegalArgumentException(name);
            return o;
        }
    }

    /** DmtcpUniqueProcessId {uint64_t _hostid; uint64_t _time; pid_t _pid; uint32_t _computation_generation;}. */
    static final int UNIQUE_PID = new CStruct().u64("hostid", "time").u32("pid", "generation").size;

    /** DmtcpCkptHeader, 4096 bytes; fields in the order ProcessInfo declares and fillCheckpointHeader copies them. */
    static final CStruct HEADER = new CStruct().chars("ckptSignature", 32)
            .field("upid", UNIQUE_PID, 8).field("uppid", UNIQUE_PID, 8).field("compGroup", UNIQUE_PID, 8)
            .u32("pid", "ppid", "sid", "gid", "fgid", "isRootOfProcessTree", "numPeers", "elfType")
            .u64("clock_gettime_offset", "getcpu_offset", "gettimeofday_offset", "time_offset")
            .field("restoreBuf", 16, 8).field("vdso", 16, 8).field("vvar", 16, 8).field("vvarVClock", 16, 8)
            .u64("savedBrk", "endOfStack", "postRestartAddr")
            .chars("procname", 1024).chars("procSelfExe", 1024);

    /** ProcMapsArea (include/procmapsarea.h): nine u64 union slots, off_t mmapFileSize, uint64_t properties, name. */
    static final CStruct AREA = new CStruct()
            .u64("addr", "endAddr", "size", "offset", "prot", "flags", "devmajor", "devminor", "inodenum", "mmapFileSize", "properties")
            .chars("name", 1024);
    static final int RECORD = 4096;  // both are unions with char _padding[4096]

    /** One area record as written; {@code data} is what follows it (null for none). */
    record Area(long addr, long size, int prot, int flags, long offset, long inode, long fileSize, long properties, String name, byte[] data) {}

    private final List<Area> areas = new ArrayList<>();
    private final Random random;
    int pid = 4242, ppid = 1, sid = 4242, gid = 4242;
    String procname = "sim", exe = "/usr/bin/sim";
    String signature = "DMTCP_CHECKPOINT_IMAGE_v4.0\n";

    DmtcpImages(long seed) {
        this.random = new Random(seed);
    }

    byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    DmtcpImages record(Area a) {
        areas.add(a);
        return this;
    }

    /**
     * An anonymous area as mtcp_write_anonymous_pages writes it: a parent header for the whole area, then one child
     * header per run of pages, zero runs without data. {@code runs} alternate data and zero run lengths in pages,
     * starting with data (DMTCP cuts runs at 1 MiB; the layout does not depend on the run length).
     */
    DmtcpImages anonymous(long addr, int prot, String name, int... runs) {
        long pages = 0;
        for (int r : runs) pages += r;
        areas.add(new Area(addr, pages * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, 0, 0, 0, PARENT, name, null));
        long at = addr;
        for (int i = 0; i < runs.length; i++) {
            if (runs[i] == 0) continue;
            boolean zero = i % 2 == 1;
            long size = (long) runs[i] * PAGE;
            areas.add(new Area(at, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, 0, 0, 0, (zero ? ZERO_PAGE : 0) | CHILD, name,
                    zero ? null : randomBytes((int) size)));
            at += size;
        }
        return this;
    }

    /**
     * A mapping of an existing file: mmapFileSize is the area size when writable or when the file covers it, else
     * st_size - offset (a mapping reaching past the file's end), and only that many bytes follow.
     */
    DmtcpImages file(long addr, int pages, int prot, long offset, long fileSize, String name) {
        long size = (long) pages * PAGE;
        long mmapFileSize = (prot & 2) != 0 || fileSize - offset > size ? size : fileSize - offset;
        areas.add(new Area(addr, size, prot, MAP_PRIVATE, offset, 77, mmapFileSize, 0, name, randomBytes((int) mmapFileSize)));
        return this;
    }

    List<Area> areas() { return areas; }

    byte[] header() {
        ByteBuffer h = ByteBuffer.allocate(RECORD).order(ByteOrder.LITTLE_ENDIAN);
        h.put(HEADER.at("ckptSignature"), signature.getBytes(StandardCharsets.US_ASCII));
        h.putLong(HEADER.at("upid"), 0x1234_5678L).putLong(HEADER.at("upid") + 8, 1_764_000_000L).putInt(HEADER.at("upid") + 16, pid);
        h.putInt(HEADER.at("pid"), pid).putInt(HEADER.at("ppid"), ppid).putInt(HEADER.at("sid"), sid).putInt(HEADER.at("gid"), gid)
                .putInt(HEADER.at("fgid"), gid).putInt(HEADER.at("numPeers"), 1).putInt(HEADER.at("elfType"), 1);  // Elf_64
        h.putLong(HEADER.at("restoreBuf"), 0x7f00_0000_0000L).putLong(HEADER.at("restoreBuf") + 8, 0x7f00_0200_0000L);
        h.putLong(HEADER.at("vdso"), 0x7ffd_1000_0000L).putLong(HEADER.at("vdso") + 8, 0x7ffd_1000_2000L);
        h.putLong(HEADER.at("savedBrk"), 0x5555_0000_0000L).putLong(HEADER.at("endOfStack"), 0x7ffd_0000_3000L)
                .putLong(HEADER.at("postRestartAddr"), 0x7f12_3456_7000L);
        h.put(HEADER.at("procname"), procname.getBytes(StandardCharsets.UTF_8));
        h.put(HEADER.at("procSelfExe"), exe.getBytes(StandardCharsets.UTF_8));
        return h.array();
    }

    static byte[] areaRecord(Area a) {
        ByteBuffer r = ByteBuffer.allocate(RECORD).order(ByteOrder.LITTLE_ENDIAN);
        r.putLong(AREA.at("addr"), a.addr()).putLong(AREA.at("endAddr"), a.addr() + a.size()).putLong(AREA.at("size"), a.size())
                .putLong(AREA.at("offset"), a.offset()).putInt(AREA.at("prot"), a.prot()).putInt(AREA.at("flags"), a.flags())
                .putLong(AREA.at("devmajor"), 8).putLong(AREA.at("devminor"), 1).putLong(AREA.at("inodenum"), a.inode())
                .putLong(AREA.at("mmapFileSize"), a.fileSize()).putLong(AREA.at("properties"), a.properties());
        r.put(AREA.at("name"), a.name().getBytes(StandardCharsets.UTF_8));
        return r.array();
    }

    byte[] plain() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] h = header();
        out.write(h);  // written twice: dmtcp_restart reads one copy, mtcp_restart the other
        out.write(h);
        for (Area a : areas) {
            out.write(areaRecord(a));
            if (a.data() != null) out.write(a.data());
        }
        // writeckpt reuses its last Area for the terminator, setting only addr = NULL and size = -1
        Area last = areas.isEmpty() ? new Area(0, 0, 0, 0, 0, 0, 0, 0, "", null) : areas.getLast();
        byte[] end = areaRecord(last);
        ByteBuffer.wrap(end).order(ByteOrder.LITTLE_ENDIAN).putLong(AREA.at("addr"), 0).putLong(AREA.at("size"), -1);
        out.write(end);
        return out.toByteArray();
    }

    byte[] gzip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(plain());
        }
        return out.toByteArray();
    }

    /**
     * A typical process: text and a read-only mapping reaching past its file's end, heap with a zero-page run, an
     * nscd area (a lone zero-page record) and the stack.
     */
    static DmtcpImages typical(long seed) {
        DmtcpImages d = new DmtcpImages(seed);
        d.file(0x55_5555_4000L, 4, 5, 0, 1 << 20, "/usr/bin/sim");
        d.file(0x55_5555_8000L, 2, 1, 0x4000, 0x4000 + PAGE + 100, "/usr/share/sim/table");
        d.anonymous(0x55_5556_0000L, 3, "[heap]", 2, 4, 2);
        d.record(new Area(0x7f00_1000_0000L, 2 * PAGE, 3, MAP_PRIVATE | MAP_ANONYMOUS, 0, 0, 0, ZERO_PAGE, "/var/cache/nscd/passwd", null));
        d.anonymous(0x7ffd_0000_0000L, 3, "[stack]", 3);
        return d;
    }
}
