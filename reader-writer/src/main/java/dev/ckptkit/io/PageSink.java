package dev.ckptkit.io;

import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.List;

/**
 * Where a backend streams page contents. Pages of one process come in ascending address order, and all pages of a
 * process come together (processes in any order); the writer sorts the index by (pid, vaddr) from that.
 * Zero pages need no special call: the writer finds them.
 */
public interface PageSink {
    /** Index flag: the page is present and all zero; nothing is stored. */
    int ZERO = 1;
    /** Index flag: the page's content is not in this image (e.g. CRIU in_parent). */
    int ABSENT = 2;
    /** Index flag: the page was dumped lazily (CRIU lazy pages); combined with ABSENT. */
    int LAZY = 4;

    /** Adds the 4096 bytes of {@code page} as the content at {@code vaddr} of process {@code pid}. */
    void add(int pid, long vaddr, MemorySegment page) throws IOException;

    default void add(int pid, long vaddr, byte[] page, int offset) throws IOException {
        add(pid, vaddr, MemorySegment.ofArray(page).asSlice(offset, CkptFormat.PAGE_SIZE));
    }

    /**
     * Adds {@code count} consecutive pages of {@code pid} from {@code vaddr} on, read from {@code ch} at
     * {@code position} (e.g. a run of a CRIU pages file). Throws {@link java.io.EOFException} naming the offset if the file
     * ends first.
     */
    void addFrom(int pid, long vaddr, long count, FileChannel ch, long position) throws IOException;

    /** As {@link #addFrom(int, long, long, FileChannel, long)}, reading the next bytes of a stream. */
    void addFrom(int pid, long vaddr, long count, ReadableByteChannel ch) throws IOException;

    /** A run of {@code count} consecutive pages from {@code vaddr} on. */
    record Run(long vaddr, long count) {}

    /**
     * Whether {@link #addBlock} may be called: only a writer that stores pages as they come (no dedup, no compression)
     * can take pages whose bytes it never sees, and only one that writes a file it can open again.
     */
    default boolean takesBlocks() { return false; }

    /**
     * Adds one page block whose bytes the caller moves into the file ({@code body}): the pages of {@code runs}, of
     * process {@code pid}, in ascending address order after any page added before, none of them zero, at most
     * {@code maxBlockPages()} of them; {@code crc32c} is the CRC32C of their bytes in order, which the source computes
     * (e.g. the process whose memory it is), so the image's check covers the bytes from where they were read. The
     * writer takes it on trust: the source must make sure the bytes moved are the bytes it summed.
     */
    default void addBlock(int pid, List<Run> runs, int crc32c, SplicedBytes body) throws IOException {
        throw new UnsupportedOperationException("this page sink does not take blocks");
    }

    /** The most pages {@link #addBlock} takes in one block. */
    default int maxBlockPages() { return 256; }

    /** Records a page that was dumped but whose content lives elsewhere; {@code flags} includes ABSENT. */
    void addAbsent(int pid, long vaddr, int flags) throws IOException;
}
