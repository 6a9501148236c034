package dev.ckptkit.backend.criu;

import com.google.protobuf.Parser;
import com.google.protobuf.UnknownFieldSet;
import dev.ckptkit.backend.criu.proto.BpfmapDataEntry;
import dev.ckptkit.backend.criu.proto.GhostChunkEntry;
import dev.ckptkit.backend.criu.proto.GhostFileEntry;
import dev.ckptkit.backend.criu.proto.IpcMsg;
import dev.ckptkit.backend.criu.proto.IpcMsgEntry;
import dev.ckptkit.backend.criu.proto.IpcSemEntry;
import dev.ckptkit.backend.criu.proto.IpcShmEntry;
import dev.ckptkit.backend.criu.proto.PagemapEntry;
import dev.ckptkit.backend.criu.proto.PagemapHead;
import dev.ckptkit.backend.criu.proto.PipeDataEntry;
import dev.ckptkit.backend.criu.proto.SkPacketEntry;
import dev.ckptkit.backend.criu.proto.TcpStreamEntry;
import dev.ckptkit.io.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a CRIU image file into entries: {@code MAGIC [MAGIC_2] {SIZE(u32) PAYLOAD(protobuf) [EXTRA]}}.
 * Every payload is checked to be well-formed protobuf and every size against the bytes left, so that a truncated
 * or corrupt file is reported with its name, the entry index and the offset, never read past its end.
 */
public final class ImageParser {
    private static final Parser<UnknownFieldSet> ANY = UnknownFieldSet.getDefaultInstance().getParserForType();

    private ImageParser() {}

    public static CriuImage parse(String name, ByteBuffer file) throws CorruptImageException {
        ByteBuffer data = file.slice().order(ByteOrder.LITTLE_ENDIAN);
        int len = data.limit();
        if (len < 4) return new CriuImage(name, CriuImage.Header.RAW, null, 0, data, List.of());
        int m0 = data.getInt(0);
        CriuImage.Header header;
        int magic;
        int pos;
        if (m0 == ImageKind.INVENTORY.magic()) {
            header = CriuImage.Header.INVENTORY;
            magic = m0;
            pos = 4;
        } else if (m0 == ImageKind.IMG_COMMON || m0 == ImageKind.IMG_SERVICE) {
            if (len < 8) throw new CorruptImageException(name, 4, "file truncated after the first magic (no image type magic)");
            header = m0 == ImageKind.IMG_COMMON ? CriuImage.Header.COMMON : CriuImage.Header.SERVICE;
            magic = data.getInt(4);
            pos = 8;
        } else {
            return new CriuImage(name, CriuImage.Header.RAW, null, 0, data, List.of());
        }
        ImageKind kind = ImageKind.byMagic(magic);
        // a type magic this code does not know (a newer CRIU): keep the file, do not guess its framing
        if (kind == null) return new CriuImage(name, header, null, magic, data, List.of());
        return new CriuImage(name, header, kind, magic, data, entries(name, data, pos, kind));
    }

    private static List<CriuImage.Entry> entries(String name, ByteBuffer data, int pos, ImageKind kind) throws CorruptImageException {
        List<CriuImage.Entry> out = new ArrayList<>();
        int len = data.limit();
        boolean ghostChunks = false;
        while (pos < len) {
            int index = out.size();
            if (len - pos < 4) throw corrupt(name, index, pos, "truncated size field (" + (len - pos) + " of 4 bytes)");
            long size = Integer.toUnsignedLong(data.getInt(pos));
            long left = len - pos - 4L;
            if (size > left) {
                throw corrupt(name, index, pos, "entry size " + size + " runs past the end of the file (" + left + " bytes left; file truncated?)");
            }
            ByteBuffer payload = data.slice(pos + 4, (int) size);
            int payloadOffset = pos + 4;
            long extra;
            switch (kind.payload()) {
                case GHOST_FILE -> {
                    if (index == 0) {
                        GhostFileEntry g = CriuImage.decode(name, index, payloadOffset, payload, GhostFileEntry.parser());
                        ghostChunks = g.getChunks();
                        extra = ghostChunks ? 0 : left - size; // without chunks the content runs to the end of the file
                    } else if (ghostChunks) {
                        extra = CriuImage.decode(name, index, payloadOffset, payload, GhostChunkEntry.parser()).getLen();
                    } else {
                        throw corrupt(name, index, pos, "unexpected entry after a ghost file's content");
                    }
                }
                case PAGEMAP -> {
                    if (index == 0) CriuImage.decode(name, index, payloadOffset, payload, PagemapHead.parser());
                    else CriuImage.decode(name, index, payloadOffset, payload, PagemapEntry.parser());
                    extra = 0;
                }
                case PIPE_DATA -> extra = Integer.toUnsignedLong(decode(name, index, payloadOffset, payload, PipeDataEntry.parser()).getBytes());
                case SK_QUEUE -> extra = Integer.toUnsignedLong(decode(name, index, payloadOffset, payload, SkPacketEntry.parser()).getLength());
                case TCP_STREAM -> {
                    TcpStreamEntry t = decode(name, index, payloadOffset, payload, TcpStreamEntry.parser());
                    extra = Integer.toUnsignedLong(t.getInqLen()) + Integer.toUnsignedLong(t.getOutqLen());
                }
                case BPFMAP_DATA -> {
                    BpfmapDataEntry b = decode(name, index, payloadOffset, payload, BpfmapDataEntry.parser());
                    extra = Integer.toUnsignedLong(b.getKeysBytes()) + Integer.toUnsignedLong(b.getValuesBytes());
                }
                case IPC_SHM -> {
                    IpcShmEntry s = decode(name, index, payloadOffset, payload, IpcShmEntry.parser());
                    extra = s.getInPagemaps() ? 0 : roundUp(s.getSize(), 4);
                }
                case IPC_SEM -> extra = roundUp(2L * Integer.toUnsignedLong(decode(name, index, payloadOffset, payload, IpcSemEntry.parser()).getNsems()), 8);
                case IPC_MSG -> extra = ipcMessages(name, index, data, payloadOffset + (int) size,
                        decode(name, index, payloadOffset, payload, IpcMsgEntry.parser()).getQnum());
                case PLAIN -> {
                    CriuImage.decode(name, index, payloadOffset, payload, ANY);
                    extra = 0;
                }
                default -> throw new IllegalStateException(kind.payload().toString());
            }
            if (extra < 0 || extra > left - size) {
                throw corrupt(name, index, pos, "entry payload of " + extra + " bytes runs past the end of the file ("
                        + (left - size) + " bytes left; file truncated?)");
            }
            out.add(new CriuImage.Entry(index, pos, (int) size, extra));
            pos = (int) (pos + 4 + size + extra);
        }
        return out;
    }

    /** Total length of an IPC message queue's messages, each a size-prefixed ipc_msg then data padded to 8. */
    private static long ipcMessages(String name, int index, ByteBuffer data, int at, int qnum) throws CorruptImageException {
        long pos = at;
        int len = data.limit();
        for (long i = 0; i < Integer.toUnsignedLong(qnum) && pos < len; i++) {
            if (len - pos < 4) throw corrupt(name, index, pos, "truncated ipc message size");
            long size = Integer.toUnsignedLong(data.getInt((int) pos));
            if (size > len - pos - 4) throw corrupt(name, index, pos, "ipc message size " + size + " runs past the end of the file");
            IpcMsg m = decode(name, index, (int) pos + 4, data.slice((int) pos + 4, (int) size), IpcMsg.parser());
            pos += 4 + size + roundUp(Integer.toUnsignedLong(m.getMsize()), 8);
        }
        return pos - at;
    }

    private static <T> T decode(String name, int index, int offset, ByteBuffer payload, Parser<T> parser) throws CorruptImageException {
        return CriuImage.decode(name, index, offset, payload, parser);
    }

    private static long roundUp(long x, int to) {
        return (x + to - 1) / to * to;
    }

    private static CorruptImageException corrupt(String name, int index, long offset, String msg) {
        return new CorruptImageException(name, offset, "entry " + index + ": " + msg);
    }
}
