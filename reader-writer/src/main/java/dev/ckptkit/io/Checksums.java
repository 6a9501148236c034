package dev.ckptkit.io;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C helpers; mapped segments are checksummed in chunks because a ByteBuffer view is limited to 2 GiB. */
public final class Checksums {
    private Checksums() {}

    public static int crc32c(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate());
        return (int) c.getValue();
    }

    public static int crc32c(MemorySegment s) {
        CRC32C c = new CRC32C();
        update(c, s);
        return (int) c.getValue();
    }

    public static void update(CRC32C c, MemorySegment s) {
        long chunk = 1L << 30;
        for (long off = 0; off < s.byteSize(); off += chunk) {
            c.update(s.asSlice(off, Math.min(chunk, s.byteSize() - off)).asByteBuffer());
        }
    }
}
