package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.backend.Progress;
import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.PageSink;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.Tables;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import dev.ckptkit.io.CorruptImageException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;

/**
 * Writes one CKPT image from a CRIU image directory: every file's exact bytes as a native record
 * ({@code criu/NAME}), except page data that a pagemap fully describes, which goes to the page store in pagemap
 * order; the common tables; the manifest. Extra files of a container archive become attachments.
 */
final class CriuImporter {
    /** Native record name prefix of CRIU image files. */
    static final String NATIVE_PREFIX = "criu/";
    /** Native record name prefix of symbolic links in the image dir (the {@code parent} link of incremental dumps). */
    static final String LINK_PREFIX = "criu-link/";
    /** Attachment name prefix of files kept outside the native section because of their size. */
    static final String LARGE_PREFIX = "criu/";
    /** Files larger than this are carried as (chunked, streamed) attachments instead of native records. */
    static final long NATIVE_LIMIT = 32L << 20;
    private static final int PAGE = Pagemap.PAGE;
    private static final int CHUNK = 1 << 20;
    /** Pages handed to the writer at a time: progress moves every 16 MiB. */
    private static final long PROGRESS_PAGES = 4096;

    private CriuImporter() {}

    /**
     * @param extras container archive files outside checkpoint/ (name in the archive -> extracted file), or empty
     * @param source where the image came from, for the manifest
     * @param parent the parent image of an incremental dump, or null
     * @param inParent where the tables read pages the dump has in its parent (argv, environ)
     */
    static void importSet(CriuImageSet set, Map<String, Path> extras, String source, ImportContext ctx, String criuVersion,
                          Manifest.Parent parent, PageReader.InParent inParent) throws IOException {
        CriuModel model = new CriuModel(set);
        CriuTables tables = new CriuTables(model, inParent);
        List<ProcessRow> processes = tables.processes();
        try (CkptWriter w = ctx.createWriter(identity(set, extras))) {
            for (Map.Entry<String, MemorySegment> f : set.files().entrySet()) {
                String name = f.getKey();
                if (set.pageStoreFiles().containsKey(name)) continue;
                MemorySegment bytes = f.getValue();
                if (bytes.byteSize() <= NATIVE_LIMIT) w.nativeRecord(NATIVE_PREFIX + name, bytes.toArray(ValueLayout.JAVA_BYTE));
                else try (InputStream in = Files.newInputStream(set.dir().resolve(name))) {
                    w.attachment(LARGE_PREFIX + name, in);
                }
            }
            for (Map.Entry<String, String> l : set.symlinks().entrySet()) {
                w.nativeRecord(LINK_PREFIX + l.getKey(), l.getValue().getBytes(StandardCharsets.UTF_8));
            }
            for (Map.Entry<String, Path> x : extras.entrySet()) {
                try (InputStream in = Files.newInputStream(x.getValue())) {
                    w.attachment(ContainerArchive.ATTACHMENT_PREFIX + x.getKey(), in);
                }
            }
            writePages(set, w.pages(), ctx.progress());
            w.table(Tables.PROCESSES, processes);
            w.table(Tables.THREADS, tables.threads());
            w.table(Tables.MEMORY_AREAS, tables.memoryAreas());
            w.table(Tables.FILES, tables.files());
            w.table(Tables.FDS, tables.fds());
            w.table(Tables.PIPES, tables.pipes());
            w.table(Tables.SOCKETS, tables.sockets());
            w.table(Tables.MOUNTS, tables.mounts());
            w.table(Tables.NAMESPACES, tables.namespaces());
            w.table(Tables.SIGNALS, tables.signals());
            w.table(Tables.TIMERS, tables.timers());
            w.table(Tables.RLIMITS, tables.rlimits());
            w.manifest(CriuManifest.of(set, model, processes, source, ctx, criuVersion, parent));
            w.commit();
        }
    }

    /**
     * Pages of each page-store file, in pagemap order: data for present pages, absent entries for the others.
     * Present runs are read by the writer straight into its page batches (one copy from the page cache), in slices
     * so that progress moves.
     */
    private static void writePages(CriuImageSet set, PageSink sink, Progress progress) throws IOException {
        long total = 0;
        for (Pagemap pm : set.pageStoreFiles().values()) total += pm.pageCount();
        long done = 0;
        for (Map.Entry<String, Pagemap> e : set.pageStoreFiles().entrySet()) {
            Pagemap pm = e.getValue();
            int pid = (int) pm.owner();
            try (FileChannel ch = FileChannel.open(set.dir().resolve(e.getKey()), StandardOpenOption.READ)) {
                long offset = 0;
                for (Pagemap.Run r : pm.runs()) {
                    for (long i = 0; i < r.nrPages(); ) {
                        long n = Math.min(r.nrPages() - i, PROGRESS_PAGES);
                        long vaddr = r.vaddr() + i * PAGE;
                        if (r.present()) {
                            try {
                                sink.addFrom(pid, vaddr, n, ch, offset);
                            } catch (EOFException eof) {
                                // the sizes were checked against the pagemap when the set was opened: the file changed under us
                                throw new CorruptImageException(set.resource(e.getKey()), offset,
                                        "pages file ended early (changed while reading?): " + eof.getMessage());
                            }
                            offset += n * PAGE;
                        } else {
                            int flags = PageSink.ABSENT | ((r.flags() & Pagemap.PE_LAZY) != 0 ? PageSink.LAZY : 0);
                            for (long k = 0; k < n; k++) sink.addAbsent(pid, vaddr + k * PAGE, flags);
                        }
                        i += n;
                        done += n;
                        progress.update("pages", done, total);
                    }
                }
            }
        }
        progress.update("pages", done, total);
    }

    /** Where {@code parent} is seen from the directory of {@code output}: relative when it can be, else absolute. */
    static String hint(Path parent, Path output) {
        Path p = parent.toAbsolutePath().normalize();
        Path base = output == null ? null : output.toAbsolutePath().normalize().getParent();
        if (base == null) return p.toString();
        try {
            return base.relativize(p).toString();
        } catch (IllegalArgumentException e) {
            return p.toString();
        }
    }

    /** SHA-256 over the names and bytes of every file but the page-store files (their pagemaps pin them down). */
    static byte[] identity(CriuImageSet set, Map<String, Path> extras) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Map.Entry<String, MemorySegment> f : set.files().entrySet()) {
            if (set.pageStoreFiles().containsKey(f.getKey())) continue;
            md.update(f.getKey().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            MemorySegment seg = f.getValue();
            for (long at = 0; at < seg.byteSize(); at += CHUNK) md.update(seg.asSlice(at, Math.min(CHUNK, seg.byteSize() - at)).asByteBuffer());
        }
        for (Map.Entry<String, String> l : set.symlinks().entrySet()) {
            md.update((l.getKey() + "\0" + l.getValue()).getBytes(StandardCharsets.UTF_8));
        }
        for (Map.Entry<String, Path> x : extras.entrySet()) {
            md.update(x.getKey().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            try (InputStream in = Files.newInputStream(x.getValue())) {
                byte[] buf = new byte[65536];
                for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            }
        }
        return md.digest();
    }
}
