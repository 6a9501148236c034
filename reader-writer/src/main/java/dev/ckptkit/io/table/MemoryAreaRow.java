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
        @Doc("backend specific status bits (CRIU vma_entry.status)") Long status,
        @Doc("last modification time of the backing file at checkpoint time, nanoseconds since the epoch, when the producer recorded it (CRIU does not); since 1.2") Long mtime) {

    /** A row with the columns of CKPT 1.1; the columns added in 1.2 are null. */
    public MemoryAreaRow(int pid, long start, long end, int prot, int flags, long pgoff, String path, String kind, Long dev,
                         Long inode, Long status) {
        this(pid, start, end, prot, flags, pgoff, path, kind, dev, inode, status, null);
    }

    public MemoryAreaRow withMtime(Long m) {
        return new MemoryAreaRow(pid, start, end, prot, flags, pgoff, path, kind, dev, inode, status, m);
    }
}
