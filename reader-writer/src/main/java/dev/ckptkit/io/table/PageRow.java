package dev.ckptkit.io.table;

@Doc("The page index as a table (exported view; in the file it is a fixed-width binary section).")
public record PageRow(
        @Doc("pid") int pid,
        @Doc("page address") long vaddr,
        @Doc("index flags: 1 zero, 2 absent (in parent image), 4 lazy") int flags,
        @Doc("unique page ordinal; -1 zero page, -2 absent") long page,
        @Doc("hash of the page content (see page-hashes), null for zero or absent pages") byte[] hash) {}
