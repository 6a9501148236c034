package dev.ckptkit.backend.userspace;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.ThreadRow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Properties;

/**
 * The glue a restart needs beyond the common tables, taken from CRIU's records when the image was imported from a
 * CRIU directory (for instance a userspace checkpoint that went through {@code convert --to criu} and back):
 * mm_entry.mm_start_brk/mm_brk of criu/mm-PID.img and thread_info.clear_tid_addr of each criu/core-TID.img
 * (for glibc threads the address of the tid slot ckpt-loader updates). Read with plain protobuf wire decoding,
 * field numbers from CRIU's images/mm.proto and core.proto, so this backend does not depend on the CRIU backend.
 */
final class CriuGlue {
    private static final int MM_START_BRK = 6, MM_BRK = 7;
    private static final int CORE_THREAD_INFO = 2, THREAD_INFO_CLEAR_TID_ADDR = 1;
    private static final int VARINT = 0, LENGTH_DELIMITED = 2;

    private CriuGlue() {}

    /** The keys of the userspace glue record (start_brk, brk, tid_addr.TID) that CRIU's records give. */
    static Properties of(CkptReader r, int pid, List<ThreadRow> threads) throws IOException {
        Properties p = new Properties();
        try {
            read(r, pid, threads, p);
        } catch (InvalidProtocolBufferException e) {
            // a damaged record only costs exactness: the loader finds tid slots itself, brk comes from the heap area
        }
        return p;
    }

    private static void read(CkptReader r, int pid, List<ThreadRow> threads, Properties p) throws IOException {
        byte[] mm = record(r, "criu/mm-" + pid + ".img");
        if (mm != null) {
            CodedInputStream in = entry(mm);
            for (int tag; in != null && (tag = in.readTag()) != 0; ) {
                int field = tag >>> 3;
                if ((field == MM_START_BRK || field == MM_BRK) && (tag & 7) == VARINT) {
                    p.setProperty(field == MM_START_BRK ? "start_brk" : "brk", Long.toString(in.readUInt64()));
                } else {
                    in.skipField(tag);
                }
            }
        }
        for (ThreadRow t : threads) {
            byte[] core = record(r, "criu/core-" + t.tid() + ".img");
            long addr = core == null ? 0 : clearTidAddr(entry(core));
            if (addr != 0) p.setProperty("tid_addr." + t.tid(), Long.toString(addr));
        }
    }

    private static long clearTidAddr(CodedInputStream in) throws IOException {
        for (int tag; in != null && (tag = in.readTag()) != 0; ) {
            if (tag >>> 3 != CORE_THREAD_INFO || (tag & 7) != LENGTH_DELIMITED) {
                in.skipField(tag);
                continue;
            }
            int limit = in.pushLimit(in.readRawVarint32());
            for (int t; (t = in.readTag()) != 0; ) {
                if (t >>> 3 == THREAD_INFO_CLEAR_TID_ADDR && (t & 7) == VARINT) return in.readUInt64();
                in.skipField(t);
            }
            in.popLimit(limit);
        }
        return 0;
    }

    private static byte[] record(CkptReader r, String name) throws IOException {
        return r.nativeNames().contains(name) ? r.nativeRecord(name) : null;
    }

    /** The first entry of a CRIU image: IMG_COMMON and type magics, a u32 size, the message; null if malformed. */
    private static CodedInputStream entry(byte[] img) {
        if (img.length < 12) return null;
        int len = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
        if (len < 0 || len > img.length - 12) return null;
        return CodedInputStream.newInstance(img, 12, len);
    }
}
