package dev.ckptkit.analyzer.inspect;

/**
 * A memory area (a line of /proc/PID/maps) with what the image holds of it.
 *
 * @param pages how many of its pages the image has, by kind
 */
public record AreaInfo(int pid, long start, long end, int prot, int flags, long pgoff, String path, String kind,
                       Long dev, Long inode, PageCounts pages) {

    /**
     * Page counts of an area. {@code dumped} counts pages with content in the image (zero pages included),
     * {@code zero} those known to be all zero, {@code absent} pages recorded without content (in a parent image),
     * {@code shared} dumped pages whose content is stored once for this and at least one other process.
     */
    public record PageCounts(long dumped, long zero, long absent, long shared) {
        public static final PageCounts NONE = new PageCounts(0, 0, 0, 0);
    }

    public long size() { return end - start; }

    /** /proc/PID/maps style permissions: rwx plus s (shared) or p (private). */
    public String perms() { return Flags.perms(prot, flags); }

    /** Path, or a bracketed kind such as [heap] for areas without one. */
    public String name() { return Areas.label(path, kind); }

    public boolean contains(long addr) {
        return Long.compareUnsigned(addr, start) >= 0 && Long.compareUnsigned(addr, end) < 0;
    }
}
