package dev.ckptkit.io.table;

@Doc("One row per virtual memory area (like a line of /proc/PID/maps).")
public record MemoryAreaRow(
        @Doc("pid of the owning process") int pid,
        @Doc("first address") long start,
        @Doc("address one past the end") long end,
        @Doc("PROT_* bits: 1 read, 2 write, 4 exec") int prot,
        @Doc("MAP_* bits: 1 shared, 2 private, 0x20 anonymous, 0x100 growsdown, ...") int flags,
        @Doc("offset in the backing file, in bytes") long pgoff,
        @Doc("backing file path, or null") String path,
        @Doc("anon, heap, stack, file, shmem, vdso, vvar, vsyscall or other") String kind,
        @Doc("device of the backing file (major << 20 | minor, kernel encoding), when known") Long dev,
        @Doc("inode of the backing file, when known") Long inode,
        @Doc("backend specific status bits (CRIU vma_entry.status)") Long status) {}
