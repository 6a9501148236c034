package dev.ckptkit.backend.criu;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.PageStore;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads process memory straight from a CRIU image's pages files, through the pagemaps (for argv and environ). Pages
 * an incremental dump has in its parent image are read from {@link InParent}, when the parent is at hand.
 */
final class PageReader {
    /** Where in_parent pages are read: the parent image. */
    interface InParent {
        /** Up to {@code len} bytes at {@code vaddr} of {@code pid} (fewer where the parent has no data). */
        byte[] read(int pid, long vaddr, int len);

        InParent NONE = (pid, vaddr, len) -> new byte[0];

        /** The parent as a CKPT image (incremental capture). */
        static InParent of(CkptReader parent) {
            return (pid, vaddr, len) -> {
                try {
                    PageStore ps = parent.pages();
                    byte[] page = new byte[Pagemap.PAGE];
                    byte[] out = new byte[len];
                    int done = 0;
                    while (done < len) {
                        long a = vaddr + done;
                        if (!ps.read(pid, a, page, 0)) break;
                        int in = (int) (a & (Pagemap.PAGE - 1));
                        int n = Math.min(len - done, Pagemap.PAGE - in);
                        System.arraycopy(page, in, out, done, n);
                        done += n;
                    }
                    return done == len ? out : Arrays.copyOf(out, done);
                } catch (CorruptImageException e) {
                    return new byte[0];  // argv and environ are informational: a damaged parent leaves them unknown
                }
            };
        }
    }

    private record Located(Pagemap.Run run, long fileOffset) {}

    private final Map<Long, Pagemap> byPid = new HashMap<>();
    private final Map<Long, long[]> offsets = new HashMap<>();
    private final CriuImageSet set;
    private final InParent parent;

    PageReader(CriuImageSet set) {
        this(set, InParent.NONE);
    }

    PageReader(CriuImageSet set, InParent parent) {
        this.set = set;
        this.parent = parent;
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
            if (!l.run.present()) {
                byte[] b = parent.read(pid, vaddr + done, n);
                System.arraycopy(b, 0, out, done, b.length);
                done += b.length;
                if (b.length < n) break;
                continue;
            }
            if (l.fileOffset + n > pages.byteSize()) break;
            MemorySegment.copy(pages, ValueLayout.JAVA_BYTE, l.fileOffset, out, done, n);
            done += n;
        }
        return done == len ? out : Arrays.copyOf(out, done);
    }

    /** The run holding {@code vaddr}: present ones with their data's file offset, in_parent ones too; else null. */
    private static Located locate(Pagemap pm, long[] off, long vaddr) {
        List<Pagemap.Run> runs = pm.runs();
        for (int i = 0; i < runs.size(); i++) {
            Pagemap.Run r = runs.get(i);
            if (Long.compareUnsigned(vaddr, r.vaddr()) >= 0 && Long.compareUnsigned(vaddr, r.end()) < 0) {
                return r.present() || (r.flags() & Pagemap.PE_PARENT) != 0 ? new Located(r, off[i] + (vaddr - r.vaddr())) : null;
            }
        }
        return null;
    }
}
