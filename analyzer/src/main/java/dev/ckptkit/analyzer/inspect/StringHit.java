package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.table.MemoryAreaRow;

/** A printable string found in memory; {@code area} is null when no memory area of the process holds it. */
public record StringHit(int pid, long address, Strings.Encoding encoding, String text, MemoryAreaRow area) {
    /** Bytes the string occupies in memory. */
    public long byteLength() {
        return (long) text.length() * encoding.bytesPerChar();
    }

    /** The text output line of {@code ckpt strings}: PID, ADDRESS, ENCODING, AREA, STRING separated by tabs. */
    public String line() {
        String enc = encoding == Strings.Encoding.ASCII ? "ascii" : "utf16le";
        return new StringBuilder(text.length() + 64).append(pid).append('\t').append("0x").append(Long.toHexString(address))
                .append('\t').append(enc).append('\t').append(Areas.label(area)).append('\t').append(text).append('\n').toString();
    }

    StringHit withArea(MemoryAreaRow a) {
        return new StringHit(pid, address, encoding, text, a);
    }
}
