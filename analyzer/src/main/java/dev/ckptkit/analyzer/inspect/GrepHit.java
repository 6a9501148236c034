package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.table.MemoryAreaRow;

/**
 * A match in memory.
 *
 * @param length         length of the match in bytes
 * @param match          its bytes (at most {@link Grep#MAX_MATCH_BYTES})
 * @param contextAddress address of {@code context[0]}
 * @param context        the match with up to the requested number of context bytes on each side, as far as the
 *                       dumped memory around it is contiguous
 * @param area           the memory area holding the match, or null
 */
public record GrepHit(int pid, long address, long length, byte[] match, long contextAddress, byte[] context,
                      MemoryAreaRow area) {
    GrepHit withArea(MemoryAreaRow a, byte[] contextBytes) {
        return new GrepHit(pid, address, length, match, contextAddress, contextBytes, a);
    }
}
