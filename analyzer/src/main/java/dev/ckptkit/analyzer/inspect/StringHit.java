package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.table.MemoryAreaRow;

/** A printable string found in memory; {@code area} is null when no memory area of the process holds it. */
public record StringHit(int pid, long address, Strings.Encoding encoding, String text, MemoryAreaRow area) {
    /** Bytes the string occupies in memory. */
    public long byteLength() {
        return (long) text.length() * encoding.bytesPerChar();
    }

    StringHit withArea(MemoryAreaRow a) {
        return new StringHit(pid, address, encoding, text, a);
    }
}
