package dev.ckptkit.backend.userspace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes images in DMTCP v4's layout (see {@link DmtcpFormat}) for tests: no DMTCP is installed here, so these
 * stand in for real ckpt_*.dmtcp files. Content is seeded random, so every page can be checked after import.
 */
final class DmtcpImages {
    static final int PAGE = 4096;

    /** One area record; {@code data} is what follows it (null for none). */
    record Area(long addr, long size, int prot, int flags, long offset, long inode, long fileSize, long properties, String name, byte[] data) {}

    private final List<Area> areas = new ArrayList<>();
    private final Random random;
    int pid = 4242, ppid = 1, sid = 4242;
    String procname = "sim", exe = "/usr/bin/sim";

    DmtcpImages(long seed) {
        this.random = new Random(seed);
    }

    byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    DmtcpImages area(long addr, long size, int prot, int flags, long props, String name, byte[] data) {
        areas.add(new Area(addr, size, prot, flags, 0, name.startsWith("/") ? 77 : 0, 0, props, name, data));
        return this;
    }

    DmtcpImages fileArea(long addr, long size, int prot, long fileSize, String name, byte[] data) {
        areas.add(new Area(addr, size, prot, 2, 0x1000, 78, fileSize, 0, name, data));
        return this;
    }

    List<Area> areas() { return areas; }

    byte[] header() {
        ByteBuffer h = ByteBuffer.allocate(DmtcpFormat.HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.put(0, DmtcpFormat.SIGNATURE);
        h.putInt(DmtcpFormat.OFF_PID, pid).putInt(DmtcpFormat.OFF_PPID, ppid).putInt(DmtcpFormat.OFF_SID, sid);
        h.putInt(DmtcpFormat.OFF_ELF_TYPE, 1);
        h.putLong(DmtcpFormat.OFF_SAVED_BRK, 0x5555_0000_0000L);
        h.put(DmtcpFormat.OFF_PROCNAME, procname.getBytes(StandardCharsets.UTF_8));
        h.put(DmtcpFormat.OFF_EXE, exe.getBytes(StandardCharsets.UTF_8));
        return h.array();
    }

    static byte[] record(Area a) {
        ByteBuffer r = ByteBuffer.allocate(DmtcpFormat.AREA).order(ByteOrder.LITTLE_ENDIAN);
        r.putLong(DmtcpFormat.AREA_ADDR, a.addr()).putLong(DmtcpFormat.AREA_END, a.addr() + a.size()).putLong(DmtcpFormat.AREA_SIZE, a.size())
                .putLong(DmtcpFormat.AREA_OFFSET, a.offset()).putLong(DmtcpFormat.AREA_PROT, a.prot()).putLong(DmtcpFormat.AREA_FLAGS, a.flags())
                .putLong(DmtcpFormat.AREA_DEVMAJOR, 8).putLong(DmtcpFormat.AREA_DEVMINOR, 1).putLong(DmtcpFormat.AREA_INODE, a.inode())
                .putLong(DmtcpFormat.AREA_FILE_SIZE, a.fileSize()).putLong(DmtcpFormat.AREA_PROPERTIES, a.properties());
        r.put(DmtcpFormat.AREA_NAME, a.name().getBytes(StandardCharsets.UTF_8));
        return r.array();
    }

    byte[] plain() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] h = header();
        out.write(h);
        out.write(h);
        for (Area a : areas) {
            out.write(record(a));
            if (a.data() != null) out.write(a.data());
        }
        out.write(record(new Area(0, -1, 0, 0, 0, 0, 0, 0, "", null)));
        return out.toByteArray();
    }

    byte[] gzip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(plain());
        }
        return out.toByteArray();
    }

    /** A typical process: text skipped, data ending past EOF, heap with zero-page runs, stack. */
    static DmtcpImages typical(long seed) {
        DmtcpImages d = new DmtcpImages(seed);
        long text = 0x55_5555_4000L, data = 0x55_5555_8000L, heap = 0x55_5556_0000L, stack = 0x7ffd_0000_0000L;
        d.area(text, 4 * PAGE, 5, 2, DmtcpFormat.SKIP_WRITING_TEXT, "/usr/bin/sim", null);
        d.fileArea(data, 2 * PAGE, 3, PAGE + 100, "/usr/bin/sim", d.randomBytes(PAGE + 100));
        d.area(heap, 8 * PAGE, 3, 0x22, DmtcpFormat.PARENT_HEADER, "[heap]", null);
        d.area(heap, 2 * PAGE, 3, 0x22, DmtcpFormat.CHILD_HEADER, "[heap]", d.randomBytes(2 * PAGE));
        d.area(heap + 2 * PAGE, 4 * PAGE, 3, 0x22, DmtcpFormat.CHILD_HEADER | DmtcpFormat.ZERO_PAGE, "[heap]", null);
        d.area(heap + 6 * PAGE, 2 * PAGE, 3, 0x22, DmtcpFormat.CHILD_HEADER, "[heap]", d.randomBytes(2 * PAGE));
        d.area(stack, 2 * PAGE, 3, 0x122, 0, "[stack]", d.randomBytes(2 * PAGE));
        return d;
    }
}
