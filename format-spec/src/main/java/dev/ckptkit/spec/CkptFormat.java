package dev.ckptkit.spec;

import java.nio.charset.StandardCharsets;

/**
 * Fixed numbers of the CKPT file layout. SPEC.md ("File layout") is normative; this class only names its numbers.
 *
 * <pre>
 * File     := Header Section* Directory Tail
 * Header   := Magic(8) Major(u16) Minor(u16) HeaderLength(u32) Compat(u64) RoCompat(u64) Incompat(u64)
 *             Uuid(16) WriterName(32) WriterVersion(32) Reserved(u32) HeaderCrc(u32)          -- 128 bytes
 * Section  := Pad* Frame Payload Crc(u32) Pad*   -- frames start 8-aligned; page blocks' payloads 4096-aligned
 * Frame    := "SECT" Kind(u16) Codec(u16) StoredLength(u64) RawLength(u64)                   -- 24 bytes
 * Tail     := DirectoryOffset(u64) FileLength(u64) FileCrc(u32) TailCrc(u32) "CKPT-END"     -- 32 bytes
 * </pre>
 * All integers are little-endian; every checksum is CRC32C.
 */
public final class CkptFormat {
    private CkptFormat() {}

    /** 0x89 "CKPT" CR LF SUB: non-ASCII first byte and line endings catch text-mode transfers, as PNG does. */
    public static final byte[] MAGIC = {(byte) 0x89, 'C', 'K', 'P', 'T', 0x0D, 0x0A, 0x1A};
    public static final byte[] TAIL_MAGIC = "CKPT-END".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] FRAME_MAGIC = "SECT".getBytes(StandardCharsets.US_ASCII);

    public static final int MAJOR = 1;
    public static final int MINOR = 2;

    public static final int HEADER_LENGTH = 128;
    public static final int FRAME_LENGTH = 24;
    public static final int TAIL_LENGTH = 32;
    public static final int NAME_FIELD_LENGTH = 32;

    /** Page size of the page store. Images of processes with other page sizes store 4 KiB pieces. */
    public static final int PAGE_SIZE = 4096;
    public static final int SECTION_ALIGNMENT = 8;
    /** Uncompressed page blocks start on this boundary so their pages can be memory-mapped as they are. */
    public static final int PAGE_ALIGNMENT = 4096;

    /** Largest payload one section may have; readers reject larger lengths before allocating anything. */
    public static final long MAX_SECTION_LENGTH = 1L << 30;
    /** Largest logical chunk of an attachment; longer attachments are split into several sections. */
    public static final int ATTACHMENT_CHUNK = 8 << 20;

    /** Page index entry: Pid(u32) Flags(u32) Vaddr(u64) Page(u64). */
    public static final int PAGE_INDEX_ENTRY = 24;
    /** Page reference of a page that is present and all zero: no data is stored. */
    public static final long PAGE_ZERO = -1L;
    /** Page reference of a page whose content is not in this image (CRIU in_parent, lazy pages). */
    public static final long PAGE_ABSENT = -2L;
}
