package dev.ckptkit.backend.elfcore;

import java.lang.foreign.MemorySegment;

/** One ELF note: owner name, type, and its descriptor bytes (a slice of the mapped file) at {@code offset}. */
record Note(String name, int type, MemorySegment desc, long offset) {}
