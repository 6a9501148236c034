package dev.ckptkit.backend.criu;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import dev.ckptkit.io.CorruptImageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One CRIU image file split into its entries (framing only; payloads are decoded on demand).
 *
 * @param name    file name inside the image directory, used in error messages
 * @param header  which magic(s) the file starts with
 * @param kind    the image type, or null for raw files and magics this code does not know
 * @param magic   the type magic as found in the file (0 for raw files)
 * @param data    the whole file, little-endian, position 0
 * @param entries the entries in file order
 */
public record CriuImage(String name, Header header, ImageKind kind, int magic, ByteBuffer data, List<Entry> entries) {

    /** How the file starts. */
    public enum Header {
        /** inventory.img: only its own magic */
        INVENTORY,
        /** IMG_COMMON then the type magic */
        COMMON,
        /** IMG_SERVICE then the type magic (stats-dump, irmap-cache) */
        SERVICE,
        /** no CRIU magic: raw data (pages, tarballs) or not a CRIU file */
        RAW
    }

    /**
     * One entry: a u32 size at {@code offset}, {@code size} bytes of protobuf, then {@code extra} bytes of payload.
     * For ghost files and pagemaps {@code index} 0 is the head entry.
     */
    public record Entry(int index, int offset, int size, long extra) {
        public int payloadOffset() { return offset + 4; }

        public long end() { return payloadOffset() + size + extra; }
    }

    public boolean framed() { return kind != null; }

    /** The protobuf bytes of one entry. */
    public ByteBuffer payload(Entry e) {
        return data.slice(e.payloadOffset(), e.size());
    }

    /** The bytes after an entry's protobuf (pipe data, socket queues, ghost file content...). */
    public ByteBuffer extra(Entry e) {
        return data.slice(e.payloadOffset() + e.size(), (int) e.extra());
    }

    /** Decodes one entry with a protobuf parser; a decoding failure names the file, entry and offset. */
    public <T> T decode(Entry e, Parser<T> parser) throws CorruptImageException {
        return decode(name, e.index(), e.payloadOffset(), payload(e), parser);
    }

    /** Decodes every entry (for images whose entries are all of one message type). */
    public <T> List<T> decodeAll(Parser<T> parser) throws CorruptImageException {
        List<T> out = new ArrayList<>(entries.size());
        for (Entry e : entries) out.add(decode(e, parser));
        return out;
    }

    /** The single entry of a one-entry image (core, mm, fs, inventory, ...). */
    public <T> T decodeOne(Parser<T> parser) throws CorruptImageException {
        if (entries.isEmpty()) throw new CorruptImageException(name, data.limit(), "expected one entry, the image has none");
        return decode(entries.getFirst(), parser);
    }

    static <T> T decode(String resource, int index, int offset, ByteBuffer bytes, Parser<T> parser) throws CorruptImageException {
        try {
            return parser.parseFrom(CodedInputStream.newInstance(bytes));
        } catch (InvalidProtocolBufferException ex) {
            throw new CorruptImageException(resource, offset, "entry " + index + ": invalid protobuf payload: " + ex.getMessage());
        }
    }
}
