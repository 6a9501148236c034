package dev.ckptkit.analyzer.validate;

import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ThreadRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Every reference resolves: fd -> file, thread -> process, area -> process, page -> area. */
public final class ReferenceRule implements Rule {
    private static final int MAX_PAGE_FINDINGS = 20;

    @Override public String group() { return "integrity"; }

    @Override
    public List<Finding> check(ValidationContext ctx) throws CorruptImageException {
        ImageFacts img = ctx.image();
        List<Finding> out = new ArrayList<>();
        Set<Long> fileIds = img.filesById().keySet();
        Set<Integer> pids = img.pids();
        String fix = "the image is inconsistent: re-import it from the original checkpoint, or report the producer's bug";
        for (FdRow fd : img.fds()) {
            if (!fileIds.contains(fd.fileId())) {
                out.add(finding("REF_FD_FILE", Severity.ERROR, "pid " + fd.pid() + " fd " + fd.fd(),
                        "fd points to file id " + fd.fileId() + ", which is not in the files table", fix));
            }
            if (!pids.contains(fd.pid())) {
                out.add(finding("REF_FD_PROCESS", Severity.ERROR, "pid " + fd.pid() + " fd " + fd.fd(),
                        "fd belongs to pid " + fd.pid() + ", which is not in the processes table", fix));
            }
        }
        for (ThreadRow t : img.threads()) {
            if (!pids.contains(t.pid())) {
                out.add(finding("REF_THREAD_PROCESS", Severity.ERROR, "pid " + t.pid() + " tid " + t.tid(),
                        "thread belongs to pid " + t.pid() + ", which is not in the processes table", fix));
            }
        }
        Map<Integer, TreeMap<Long, MemoryAreaRow>> areas = new HashMap<>();
        for (MemoryAreaRow a : img.areas()) {
            if (!pids.contains(a.pid())) {
                out.add(finding("REF_AREA_PROCESS", Severity.ERROR, AreaOverlapRule.name(a),
                        "memory area belongs to pid " + a.pid() + ", which is not in the processes table", fix));
            }
            areas.computeIfAbsent(a.pid(), k -> new TreeMap<>()).put(a.start(), a);
        }
        if (ctx.reader() != null) {
            PageStore pages = ctx.reader().pages();
            int reported = 0;
            for (long i = 0; i < pages.size(); i++) {
                int pid = pages.pidAt(i);
                long vaddr = pages.vaddrAt(i);
                TreeMap<Long, MemoryAreaRow> m = areas.get(pid);
                Map.Entry<Long, MemoryAreaRow> e = m == null ? null : m.floorEntry(vaddr);
                if (e != null && Long.compareUnsigned(vaddr, e.getValue().end()) < 0) continue;
                if (reported++ < MAX_PAGE_FINDINGS) {
                    out.add(finding("REF_PAGE_AREA", Severity.ERROR, "pid " + pid + " page 0x" + Long.toHexString(vaddr),
                            "page is in no memory area of pid " + pid + ": the restorer has nowhere to put it", fix));
                }
            }
            if (reported > MAX_PAGE_FINDINGS) {
                out.add(finding("REF_PAGE_AREA", Severity.ERROR, "pages", (reported - MAX_PAGE_FINDINGS)
                        + " more pages are in no memory area (not listed one by one)", fix));
            }
        }
        return out;
    }
}
