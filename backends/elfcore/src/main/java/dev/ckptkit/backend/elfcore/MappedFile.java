package dev.ckptkit.backend.elfcore;

/** One NT_FILE entry: [start, end) maps {@code path} from page {@code pageOffset} on. */
record MappedFile(long start, long end, long pageOffset, String path) {}
