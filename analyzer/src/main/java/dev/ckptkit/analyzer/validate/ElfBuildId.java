package dev.ckptkit.analyzer.validate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;

/**
 * The GNU build-id of an ELF file, read from its PT_NOTE segments (what CRIU compares with --file-validation=buildid).
 * Reads only the headers and notes, bounded, so a huge or hostile file costs a few KiB of reads.
 */
public final class ElfBuildId {
    private static final int NT_GNU_BUILD_ID = 3;
    private static final int PT_NOTE = 4;
    private static final int MAX_NOTES = 1 << 16;

    private ElfBuildId() {}

    /** Hex build-id, or null if the file is not an ELF file or has none. */
    public static String of(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer eh = read(ch, 0, 64);
            if (eh == null || eh.get(0) != 0x7f || eh.get(1) != 'E' || eh.get(2) != 'L' || eh.get(3) != 'F') return null;
            boolean is64 = eh.get(4) == 2;
            eh.order(eh.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long phoff = is64 ? eh.getLong(32) : Integer.toUnsignedLong(eh.getInt(28));
            int phentsize = Short.toUnsignedInt(eh.getShort(is64 ? 54 : 42));
            int phnum = Short.toUnsignedInt(eh.getShort(is64 ? 56 : 44));
            if (phentsize < (is64 ? 56 : 32) || phnum == 0) return null;
            for (int i = 0; i < phnum; i++) {
                ByteBuffer ph = read(ch, phoff + (long) i * phentsize, phentsize);
                if (ph == null) return null;
                ph.order(eh.order());
                if (ph.getInt(0) != PT_NOTE) continue;
                long off = is64 ? ph.getLong(8) : Integer.toUnsignedLong(ph.getInt(4));
                long size = is64 ? ph.getLong(32) : Integer.toUnsignedLong(ph.getInt(16));
                if (size <= 0 || size > MAX_NOTES) continue;
                ByteBuffer notes = read(ch, off, (int) size);
                if (notes == null) continue;
                notes.order(eh.order());
                String id = buildId(notes);
                if (id != null) return id;
            }
            return null;
        }
    }

    private static String buildId(ByteBuffer n) {
        int p = 0;
        while (p + 12 <= n.limit()) {
            int namesz = n.getInt(p), descsz = n.getInt(p + 4), type = n.getInt(p + 8);
            if (namesz < 0 || descsz < 0) return null;
            int name = p + 12, desc = name + align4(namesz);
            if (desc < 0 || desc + (long) descsz > n.limit()) return null;
            if (type == NT_GNU_BUILD_ID && namesz == 4 && n.get(name) == 'G' && n.get(name + 1) == 'N' && n.get(name + 2) == 'U') {
                byte[] id = new byte[descsz];
                n.get(desc, id);
                return HexFormat.of().formatHex(id);
            }
            p = desc + align4(descsz);
        }
        return null;
    }

    private static int align4(int v) { return (v + 3) & ~3; }

    private static ByteBuffer read(FileChannel ch, long pos, int len) throws IOException {
        if (pos < 0 || pos + len > ch.size()) return null;
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) return null;
        }
        return b.flip();
    }
}
