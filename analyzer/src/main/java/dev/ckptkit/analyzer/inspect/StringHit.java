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
        return appendLine(new StringBuilder(text.length() + 64)).toString();
    }

    public StringBuilder appendLine(StringBuilder sb) {
        return sb.append(pid).append('\t').append("0x").append(Long.toHexString(address)).append('\t')
                .append(encoding == Strings.Encoding.ASCII ? "ascii" : "utf16le").append('\t').append(Areas.label(area))
                .append('\t').append(text).append('\n');
    }

    StringHit withArea(MemoryAreaRow a) {
        return new StringHit(pid, address, encoding, text, a);
    }

    /** {@code count} hits rendered as text output lines (see {@link Strings#runLines}). */
    public record Lines(String text, int count) {}
}
