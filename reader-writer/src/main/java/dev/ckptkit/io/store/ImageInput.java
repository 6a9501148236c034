package dev.ckptkit.io.store;

import dev.ckptkit.io.CorruptImageException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Bounds-checked, little-endian absolute reads over a mapped file or a slice of it, in the manner of Lucene's
 * IndexInput: every read past the end is a {@link CorruptImageException} naming the resource and the file offset,
 * never an IndexOutOfBoundsException.
 */
public final class ImageInput {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment segment;
    private final String resource;
    /** File offset of this input's first byte, so errors name offsets in the file, not in the slice. */
    private final long base;

    public ImageInput(MemorySegment segment, String resource, long base) {
        this.segment = segment;
        this.resource = resource;
        this.base = base;
    }

    public long length() { return segment.byteSize(); }

    public String resource() { return resource; }

    public long base() { return base; }

    public MemorySegment segment() { return segment; }

    public ImageInput slice(long pos, long len) throws CorruptImageException {
        check(pos, len);
        return new ImageInput(segment.asSlice(pos, len), resource, base + pos);
    }

    public int readU8(long pos) throws CorruptImageException {
        check(pos, 1);
        return segment.get(ValueLayout.JAVA_BYTE, pos) & 0xFF;
    }

    public int readU16(long pos) throws CorruptImageException {
        check(pos, 2);
        return segment.get(SHORT, pos) & 0xFFFF;
    }

    public int readInt(long pos) throws CorruptImageException {
        check(pos, 4);
        return segment.get(INT, pos);
    }

    public long readU32(long pos) throws CorruptImageException {
        return readInt(pos) & 0xFFFF_FFFFL;
    }

    public long readLong(long pos) throws CorruptImageException {
        check(pos, 8);
        return segment.get(LONG, pos);
    }

    public byte[] readBytes(long pos, int len) throws CorruptImageException {
        check(pos, len);
        return segment.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
    }

    public String readUtf8(long pos, int len) throws CorruptImageException {
        byte[] b = readBytes(pos, len);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw corrupt(pos, "invalid UTF-8 in a name");
        }
    }

    /** Reads a NUL-padded UTF-8 field of fixed width. */
    public String readPaddedUtf8(long pos, int width) throws CorruptImageException {
        byte[] b = readBytes(pos, width);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return readUtf8(pos, n);
    }

    public CorruptImageException corrupt(long pos, String message) {
        return new CorruptImageException(resource, base + pos, message);
    }

    private void check(long pos, long len) throws CorruptImageException {
        if (pos < 0 || len < 0 || pos > segment.byteSize() - len) {
            throw corrupt(pos, "read of " + len + " bytes past the end (length " + segment.byteSize()
                    + "): file truncated?");
        }
    }
}
