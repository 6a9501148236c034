package dev.ckptkit.analyzer.inspect;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.util.Map;

/** Files the image carries as attachments (deleted-but-open files, rootfs diffs, ...), found by name or path. */
public final class CarriedFiles {
    private CarriedFiles() {}

    /** The attachment name for an attachment name (or its last part, when unique) or for the path of an open file whose content the image carries. */
    public static String resolve(CkptReader reader, String pathOrName) throws IOException {
        Map<String, Long> all = reader.attachments();
        if (all.containsKey(pathOrName)) return pathOrName;
        for (FileRow f : reader.table(Tables.FILES)) {
            if (pathOrName.equals(f.path()) && f.attachment() != null && all.containsKey(f.attachment())) return f.attachment();
        }
        // a name without its directory (rootfs-diff.tar for container/rootfs-diff.tar), when only one fits
        java.util.List<String> tails = all.keySet().stream().filter(n -> n.endsWith("/" + pathOrName)).toList();
        if (tails.size() == 1) return tails.getFirst();
        String have = all.isEmpty() ? "the image carries no files"
                : "the image carries: " + String.join(", ", all.keySet().stream().limit(20).toList()) + (all.size() > 20 ? ", ..." : "");
        throw new NotInImageException("no file '" + pathOrName + "' is carried in the image (" + have + ")");
    }
}
