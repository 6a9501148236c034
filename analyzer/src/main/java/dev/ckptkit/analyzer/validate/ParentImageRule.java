package dev.ckptkit.analyzer.validate;

import dev.ckptkit.analyzer.ParentChain;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.PageSink;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.spec.CkptFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * An incremental image (pages recorded as absent: CRIU in_parent, or lazy pages) cannot restore alone: the pages'
 * content is in its parent chain, which is not in the file. Whether the parents are at hand is the restore's
 * question ({@code ckpt restore --dry-run}); this rule says the image is not self-contained.
 */
public final class ParentImageRule implements Rule {
    @Override public String group() { return "integrity"; }

    @Override
    public List<Finding> check(ValidationContext ctx) throws CorruptImageException {
        Manifest m = ctx.image().manifest();
        Manifest.Parent ref = m == null ? null : m.parent();
        long absent, lazy = 0;
        TreeSet<Integer> pids = new TreeSet<>();
        if (ctx.reader() != null) {
            PageStore ps = ctx.reader().pages();
            absent = 0;
            for (long i = 0; i < ps.size(); i++) {
                if (ps.pageAt(i) != CkptFormat.PAGE_ABSENT) continue;
                absent++;
                pids.add(ps.pidAt(i));
                if ((ps.entry(i).flags() & PageSink.LAZY) != 0) lazy++;
            }
        } else {
            absent = m == null || m.counts() == null ? 0 : m.counts().absentPages();
        }
        String parent = ref == null ? "its parent image (not named in the manifest)"
                : "parent image " + (ref.uuid() == null ? "(UUID not recorded)" : ref.uuid()) + (ref.path() == null ? "" : " (path hint " + ref.path() + ")");
        if (absent == 0) {
            if (ref == null) return List.of();
            return List.of(finding("INCREMENTAL_PARENT_NAMED", Severity.INFO, "image", "the image was taken against " + parent
                    + " but holds every page of its processes", "ckpt restore asks for the parent too (criu may read shared memory pages from it): give it with --parent"));
        }
        String who = pids.isEmpty() ? "" : " (pid" + (pids.size() > 1 ? "s " : " ") + String.join(", ", pids.stream().map(String::valueOf).toList()) + ")";
        String lazyNote = lazy == 0 ? "" : "; " + lazy + " of them are lazy pages, served by a page server at restore";
        return List.of(finding("INCREMENTAL_PARENT_NEEDED", Severity.ERROR, "image", absent + " pages" + who + " are in " + parent
                + ", which is not in this file: the image cannot restore alone" + lazyNote,
                "restore it together with its parent chain ('ckpt restore IMAGE --parent PARENT.ckpt', one --parent per level), "
                        + "or make a self-contained image with 'ckpt convert IMAGE --parent PARENT.ckpt --flatten -o FULL.ckpt'"));
    }
}
