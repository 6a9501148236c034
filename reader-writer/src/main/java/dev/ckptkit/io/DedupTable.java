package dev.ckptkit.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Open-addressing map from a 32-byte page hash to its page ordinal, kept off the Java heap so that the writer's heap
 * stays constant however many pages an image has (about 80 bytes of native memory per unique page).
 * Not thread-safe: the writer dedups on one thread, which is also what makes ordinals deterministic.
 */
final class DedupTable implements AutoCloseable {
    private static final int HASH = 32;
    private static final int SLOT = HASH + 8;  // hash, then ordinal + 1 (0 = empty)

    private Arena arena;
    private MemorySegment slots;
    private long capacity;
    private long size;

    DedupTable() {
        allocate(1 << 16);
    }

    /** Returns the ordinal already stored for {@code hash}, or stores {@code ordinal} and returns -1. */
    long putIfAbsent(byte[] hash, long ordinal) {
        return putIfAbsent(hash, 0, ordinal);
    }

    /** As {@link #putIfAbsent(byte[], long)} for the hash at {@code hashes[offset, offset + 32)}. */
    long putIfAbsent(byte[] hashes, int offset, long ordinal) {
        if ((size + 1) * 2 > capacity) grow();
        long mask = capacity - 1;
        long i = mix(hashes, offset) & mask;
        while (true) {
            long base = i * SLOT;
            long stored = slots.get(ValueLayout.JAVA_LONG_UNALIGNED, base + HASH);
            if (stored == 0) {
                MemorySegment.copy(hashes, offset, slots, ValueLayout.JAVA_BYTE, base, HASH);
                slots.set(ValueLayout.JAVA_LONG_UNALIGNED, base + HASH, ordinal + 1);
                size++;
                return -1;
            }
            if (equalsAt(base, hashes, offset)) return stored - 1;
            i = (i + 1) & mask;
        }
    }

    long size() { return size; }

    private boolean equalsAt(long base, byte[] hashes, int offset) {
        return MemorySegment.mismatch(slots, base, base + HASH, MemorySegment.ofArray(hashes), offset, offset + HASH) == -1;
    }

    private static long mix(byte[] h, int offset) {
        long v = 0;
        for (int k = 0; k < 8; k++) v = (v << 8) | (h[offset + k] & 0xFF);
        return v ^ (v >>> 29);
    }

    private void allocate(long cap) {
        arena = Arena.ofConfined();
        slots = arena.allocate(cap * SLOT, 8);  // zeroed
        capacity = cap;
        size = 0;
    }

    private void grow() {
        Arena oldArena = arena;
        MemorySegment old = slots;
        long oldCap = capacity;
        allocate(oldCap * 2);
        byte[] h = new byte[HASH];
        for (long i = 0; i < oldCap; i++) {
            long base = i * SLOT;
            long stored = old.get(ValueLayout.JAVA_LONG_UNALIGNED, base + HASH);
            if (stored == 0) continue;
            MemorySegment.copy(old, ValueLayout.JAVA_BYTE, base, h, 0, HASH);
            putIfAbsent(h, stored - 1);
        }
        oldArena.close();
    }

    @Override
    public void close() {
        arena.close();
    }
}
