package dev.ckptkit.analyzer.diff;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.PageSink;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.TableCodec;
import dev.ckptkit.io.table.Tables;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a copy of an image with changes, through the reader and writer APIs: for making pairs and families of
 * related images (benchmarks of diff and index) from real or synthetic ones.
 */
public final class ImageRewriter {
    private ImageRewriter() {}

    /** What to change; every method returns its input unchanged by default. */
    public interface Changes {
        default <T extends Record> List<T> rows(TableCodec<T> table, List<T> rows) { return rows; }

        /** The content to write at (pid, vaddr): {@code page} itself, or another 4096-byte segment. */
        default MemorySegment page(int pid, long vaddr, MemorySegment page) { return page; }

        default int pid(int pid) { return pid; }

        default Manifest manifest(Manifest m) { return m; }
    }

    public static void rewrite(CkptReader src, Path out, WriterOptions options, Changes c) throws IOException {
        try (CkptWriter w = CkptWriter.create(out, options)) {
            for (TableCodec<?> t : Tables.STORED) copy(src, w, t, c);
            for (String n : src.nativeNames()) w.nativeRecord(n, src.nativeRecord(n));
            for (String a : src.attachments().keySet()) {
                try (InputStream in = src.attachment(a)) {
                    w.attachment(a, in);
                }
            }
            PageStore ps = src.pages();
            MemorySegment zero = MemorySegment.ofArray(new byte[CkptFormat.PAGE_SIZE]);
            PageSink sink = w.pages();
            for (long i = 0, n = ps.size(); i < n; i++) {
                PageStore.Entry e = ps.entry(i);
                int pid = c.pid(e.pid());
                if (e.absent()) sink.addAbsent(pid, e.vaddr(), e.flags());
                else sink.add(pid, e.vaddr(), c.page(e.pid(), e.vaddr(), e.zero() ? zero : ps.page(e.page())));
            }
            w.manifest(c.manifest(src.manifest()));
            w.commit();
        }
    }

    private static <T extends Record> void copy(CkptReader src, CkptWriter w, TableCodec<T> t, Changes c) throws IOException {
        w.table(t, c.rows(t, src.table(t)));
    }
}
