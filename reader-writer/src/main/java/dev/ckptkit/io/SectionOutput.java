package dev.ckptkit.io;

import dev.ckptkit.io.store.ImageOutput;
import dev.ckptkit.spec.CkptFormat;
import dev.ckptkit.spec.Codec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** Writes framed sections in one pass and remembers them for the directory. */
final class SectionOutput {
    private final ImageOutput out;
    private final List<SectionInfo> directory = new ArrayList<>();

    SectionOutput(ImageOutput out) {
        this.out = out;
    }

    List<SectionInfo> directory() { return directory; }

    /** Writes a whole section whose stored bytes are in memory. */
    SectionInfo write(int kind, String name, int aux, Codec codec, ByteBuffer stored, long rawLength, int payloadAlignment)
            throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(stored.duplicate());
        return write(kind, name, aux, codec, stored, rawLength, payloadAlignment, (int) crc.getValue());
    }

    SectionInfo write(int kind, String name, int aux, Codec codec, ByteBuffer stored, long rawLength,
                      int payloadAlignment, int crc) throws IOException {
        long offset = frame(kind, codec, stored.remaining(), rawLength, payloadAlignment);
        long length = stored.remaining();
        out.writeBytes(stored, crc);
        return end(kind, name, aux, codec, offset, length, rawLength, crc);
    }

    /** Writes an uncompressed section whose {@code length} bytes {@code body} moves into the file itself. */
    SectionInfo write(int kind, String name, int aux, long length, int payloadAlignment, int crc, SplicedBytes body)
            throws IOException {
        long offset = frame(kind, Codec.NONE, length, length, payloadAlignment);
        out.writeFrom(length, crc, body);
        return end(kind, name, aux, Codec.NONE, offset, length, length, crc);
    }

    boolean takesSplices() { return out.takesSplices(); }

    /** Starts a section whose payload is streamed in pieces; its length must be known up front. */
    Streamed begin(int kind, String name, long length) throws IOException {
        long offset = frame(kind, Codec.NONE, length, length, CkptFormat.SECTION_ALIGNMENT);
        return new Streamed(kind, name, offset, length);
    }

    final class Streamed {
        private final int kind;
        private final String name;
        private final long offset;
        private final long length;
        private final CRC32C crc = new CRC32C();
        private long written;

        private Streamed(int kind, String name, long offset, long length) {
            this.kind = kind;
            this.name = name;
            this.offset = offset;
            this.length = length;
        }

        void write(ByteBuffer piece) throws IOException {
            written += piece.remaining();
            if (written > length) throw new IllegalStateException("section longer than announced");
            crc.update(piece.duplicate());
            out.writeBytes(piece);
        }

        SectionInfo finish() throws IOException {
            if (written != length) throw new IllegalStateException("section shorter than announced");
            return end(kind, name, 0, Codec.NONE, offset, length, length, (int) crc.getValue());
        }
    }

    private long frame(int kind, Codec codec, long storedLength, long rawLength, int payloadAlignment) throws IOException {
        if (storedLength > CkptFormat.MAX_SECTION_LENGTH || rawLength > CkptFormat.MAX_SECTION_LENGTH) {
            throw new IllegalArgumentException("section of " + Math.max(storedLength, rawLength) + " bytes is over the limit");
        }
        out.padTo(payloadAlignment, CkptFormat.FRAME_LENGTH);
        long offset = out.position();
        out.writeBytes(CkptFormat.FRAME_MAGIC);
        out.writeShort(kind);
        out.writeShort(codec.code);
        out.writeLong(storedLength);
        out.writeLong(rawLength);
        return offset;
    }

    private SectionInfo end(int kind, String name, int aux, Codec codec, long offset, long stored, long raw, int crc)
            throws IOException {
        out.writeInt(crc);
        out.padTo(CkptFormat.SECTION_ALIGNMENT);
        SectionInfo info = new SectionInfo(kind, codec, aux, offset, stored, raw, crc, name);
        directory.add(info);
        return info;
    }

    /** Directory payload: Count(u32) then per entry Kind(u16) Codec(u16) Aux(u32) Offset(u64) Stored(u64) Raw(u64) Crc(u32) NameLen(u16) Name. */
    static ByteBuffer encodeDirectory(List<SectionInfo> entries) {
        int size = 4;
        List<byte[]> names = new ArrayList<>();
        for (SectionInfo s : entries) {
            byte[] n = s.name().getBytes(StandardCharsets.UTF_8);
            if (n.length > 0xFFFF) throw new IllegalArgumentException("section name too long: " + s.name());
            names.add(n);
            size += 2 + 2 + 4 + 8 + 8 + 8 + 4 + 2 + n.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            SectionInfo s = entries.get(i);
            b.putShort((short) s.kind()).putShort((short) s.codec().code).putInt(s.aux())
                    .putLong(s.offset()).putLong(s.storedLength()).putLong(s.rawLength()).putInt(s.crc())
                    .putShort((short) names.get(i).length).put(names.get(i));
        }
        return b.flip();
    }
}
