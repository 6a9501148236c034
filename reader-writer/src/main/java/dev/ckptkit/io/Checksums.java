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

    /**
     * The CRC32C of A followed by B from the CRC32Cs of A and B and B's length, without B's bytes: so a writer that
     * already has each block's checksum need not read the block again for the whole file's. zlib's crc32_combine
     * (polynomial arithmetic modulo P, x^(8n) by squaring), with CRC32C's reflected polynomial.
     */
    public static int crc32cCombine(int crcA, int crcB, long lengthB) {
        if (lengthB < 0) throw new IllegalArgumentException("negative length");
        return multModP(xPow8n(lengthB), crcA) ^ crcB;
    }

    private static final int POLY = 0x82F63B78;
    /** x^(2^k) mod P for k = 0..31, as reflected 32-bit polynomials (x^0 is 1 << 31). */
    private static final int[] X2N = new int[32];

    static {
        int p = 1 << 30;  // x^1
        X2N[0] = p;
        for (int n = 1; n < 32; n++) X2N[n] = p = multModP(p, p);
    }

    /** a * b mod P. */
    private static int multModP(int a, int b) {
        int m = 1 << 31, p = 0;
        while (true) {
            if ((a & m) != 0) {
                p ^= b;
                if ((a & (m - 1)) == 0) break;
            }
            m >>>= 1;
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
        }
        return p;
    }

    /** x^(8n) mod P. */
    private static int xPow8n(long n) {
        int p = 1 << 31;  // x^0
        for (int k = 3; n != 0; n >>>= 1, k++) {
            if ((n & 1) != 0) p = multModP(X2N[k & 31], p);
        }
        return p;
    }

    public static void update(CRC32C c, MemorySegment s) {
        long chunk = 1L << 30;
        for (long off = 0; off < s.byteSize(); off += chunk) {
            c.update(s.asSlice(off, Math.min(chunk, s.byteSize() - off)).asByteBuffer());
        }
    }
}
