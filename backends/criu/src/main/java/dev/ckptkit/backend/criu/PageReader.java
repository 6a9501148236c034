package dev.ckptkit.backend.criu;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads process memory straight from a CRIU image's pages files, through the pagemaps (for argv and environ). */
final class PageReader {
    private record Located(Pagemap.Run run, long fileOffset) {}

    private final Map<Long, Pagemap> byPid = new HashMap<>();
    private final Map<Long, long[]> offsets = new HashMap<>();
    private final CriuImageSet set;

    PageReader(CriuImageSet set) {
        this.set = set;
        for (Pagemap pm : set.pagemaps()) {
            MemorySegment pages = set.segment(pm.pagesFileName());
            // only pages this code can locate: a pagemap of a newer format (compressed pages) is not interpreted
            if (pm.shmem() || !pm.onlyKnownFields() || pages == null || pages.byteSize() != pm.presentBytes()) continue;
            byPid.put(pm.owner(), pm);
            long[] off = new long[pm.runs().size()];
            long at = 0;
            for (int i = 0; i < off.length; i++) {
                off[i] = at;
                Pagemap.Run r = pm.runs().get(i);
                if (r.present()) at += r.nrPages() * Pagemap.PAGE;
            }
            offsets.put(pm.owner(), off);
        }
    }

    /** Up to {@code len} bytes at {@code vaddr} of {@code pid}; stops at the first page without data. */
    byte[] read(int pid, long vaddr, int len) {
        Pagemap pm = byPid.get((long) pid);
        if (pm == null || len <= 0) return new byte[0];
        MemorySegment pages = set.segment(pm.pagesFileName());
        if (pages == null) return new byte[0];
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            Located l = locate(pm, offsets.get((long) pid), vaddr + done);
            if (l == null) break;
            long inRun = l.run.end() - (vaddr + done);
            int n = (int) Math.min(len - done, inRun);
            if (l.fileOffset + n > pages.byteSize()) break;
            MemorySegment.copy(pages, java.lang.foreign.ValueLayout.JAVA_BYTE, l.fileOffset, out, done, n);
            done += n;
        }
        return done == len ? out : java.util.Arrays.copyOf(out, done);
    }

    private static Located locate(Pagemap pm, long[] off, long vaddr) {
        List<Pagemap.Run> runs = pm.runs();
        for (int i = 0; i < runs.size(); i++) {
            Pagemap.Run r = runs.get(i);
            if (Long.compareUnsigned(vaddr, r.vaddr()) >= 0 && Long.compareUnsigned(vaddr, r.end()) < 0) {
                return r.present() ? new Located(r, off[i] + (vaddr - r.vaddr())) : null;
            }
        }
        return null;
    }
}
