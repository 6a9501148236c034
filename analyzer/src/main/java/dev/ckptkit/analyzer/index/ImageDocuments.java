package dev.ckptkit.analyzer.index;

import static dev.ckptkit.analyzer.index.IndexFields.*;

import dev.ckptkit.analyzer.inspect.Strings;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.FdRow;
import dev.ckptkit.io.table.FileRow;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.MountRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.SocketRow;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexOptions;

/** Turns one image into Lucene documents: one for the image, one per process (see {@link IndexFields}). */
public final class ImageDocuments {
    /** Text with offsets, so a search can tell which of several stored values matched. */
    static final FieldType TEXT_WITH_OFFSETS = new FieldType();

    static {
        TEXT_WITH_OFFSETS.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS);
        TEXT_WITH_OFFSETS.setTokenized(true);
        TEXT_WITH_OFFSETS.setStored(true);
        TEXT_WITH_OFFSETS.freeze();
    }

    private final dev.ckptkit.analyzer.index.IndexOptions options;

    public ImageDocuments(dev.ckptkit.analyzer.index.IndexOptions options) {
        this.options = options;
    }

    /** The image document first, then its processes in pid order. */
    public List<Document> build(String key, Stamp stamp, CkptReader r) throws IOException {
        Manifest m = r.manifest();
        Document common = new Document();
        keyword(common, KEY, key);
        keyword(common, IMAGE, key);
        keyword(common, UUID, r.header().uuid().toString());
        if (m.host() != null) keyword(common, HOST, m.host().hostname());
        List<String> mounts = new ArrayList<>();
        for (MountRow mr : r.table(Tables.MOUNTS)) if (mr.mountpoint() != null) mounts.add(mr.mountpoint());

        Document image = copy(common);
        keyword(image, DOC, "image");
        image.add(new StoredField(STAMP, stamp.text()));
        if (m.host() != null) {
            keyword(image, KERNEL, m.host().kernelRelease());
            keyword(image, ARCH, m.host().arch());
        }
        if (m.producer() != null) keyword(image, BACKEND, m.producer().backend());
        Long time = epochMillis(m.capturedAt());
        if (time != null) {
            image.add(new LongPoint(TIME, time));
            image.add(new StoredField(TIME, time));
        }
        if (m.labels() != null) m.labels().forEach((k, v) -> keyword(image, LABEL, k + "=" + v));
        for (String mp : mounts) keyword(image, MOUNT, mp);

        List<Document> out = new ArrayList<>();
        out.add(image);
        Map<Integer, ProcessRow> procs = new TreeMap<>();
        for (ProcessRow p : r.table(Tables.PROCESSES)) procs.put(p.pid(), p);
        Map<Integer, Document> docs = new LinkedHashMap<>();
        for (ProcessRow p : procs.values()) {
            Document d = copy(common);
            keyword(d, DOC, "process");
            intField(d, PID, p.pid());
            intField(d, PPID, p.ppid());
            if (p.uid() != null) {
                d.add(new LongPoint(UID, p.uid()));
                d.add(new StoredField(UID, p.uid()));
            }
            keyword(d, COMM, p.comm());
            keyword(d, EXE, p.exe());
            keyword(d, CWD, p.cwd());
            if (p.cmdline() != null && !p.cmdline().isEmpty()) {
                d.add(new Field(CMDLINE, String.join(" ", p.cmdline()), TEXT_WITH_OFFSETS));
                for (String a : new LinkedHashSet<>(p.cmdline())) keyword(d, ARG, a);
            }
            if (p.env() != null) for (String kv : new LinkedHashSet<>(p.env())) {
                keyword(d, ENV, kv);
                int eq = kv.indexOf('=');
                keyword(d, ENV_KEY, eq < 0 ? kv : kv.substring(0, eq));
                if (eq >= 0) keyword(d, ENV_VALUE, kv.substring(eq + 1));
            }
            for (String mp : mounts) keyword(d, MOUNT, mp);
            docs.put(p.pid(), d);
        }
        files(r, docs);
        libraries(r, docs);
        pages(r, docs);
        strings(r, docs);
        out.addAll(docs.values());
        return out;
    }

    private static void files(CkptReader r, Map<Integer, Document> docs) throws IOException {
        Map<Long, FileRow> files = new HashMap<>();
        for (FileRow f : r.table(Tables.FILES)) files.put(f.id(), f);
        Map<Long, SocketRow> sockets = new HashMap<>();
        for (SocketRow s : r.table(Tables.SOCKETS)) sockets.put(s.fileId(), s);
        Map<Integer, Set<String>> paths = new HashMap<>(), addrs = new HashMap<>();
        Map<Integer, Set<Integer>> ports = new HashMap<>();
        for (FdRow fd : r.table(Tables.FDS)) {
            if (!docs.containsKey(fd.pid())) continue;
            FileRow f = files.get(fd.fileId());
            if (f != null && f.path() != null) paths.computeIfAbsent(fd.pid(), k -> new LinkedHashSet<>()).add(f.path());
            SocketRow s = sockets.get(fd.fileId());
            if (s == null) continue;
            for (String a : new String[] {s.local(), s.peer()}) {
                if (a == null || a.isEmpty()) continue;
                addrs.computeIfAbsent(fd.pid(), k -> new LinkedHashSet<>()).add(a);
                Integer port = port(s.family(), a);
                if (port != null) ports.computeIfAbsent(fd.pid(), k -> new LinkedHashSet<>()).add(port);
            }
        }
        paths.forEach((pid, l) -> l.forEach(p -> keyword(docs.get(pid), FILE, p)));
        addrs.forEach((pid, l) -> l.forEach(a -> keyword(docs.get(pid), SOCKET, a)));
        ports.forEach((pid, l) -> l.forEach(p -> intField(docs.get(pid), PORT, p)));
    }

    private static Integer port(String family, String addr) {
        if (family == null || !family.startsWith("inet")) return null;
        int c = addr.lastIndexOf(':');
        if (c < 0) return null;
        try {
            return Integer.parseInt(addr.substring(c + 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void libraries(CkptReader r, Map<Integer, Document> docs) throws IOException {
        Map<Integer, Set<String>> libs = new HashMap<>();
        for (MemoryAreaRow a : r.table(Tables.MEMORY_AREAS)) {
            String p = a.path();
            if (p == null || !docs.containsKey(a.pid())) continue;
            String base = p.substring(p.lastIndexOf('/') + 1);
            if (base.endsWith(".so") || base.contains(".so.")) libs.computeIfAbsent(a.pid(), k -> new LinkedHashSet<>()).add(p);
        }
        libs.forEach((pid, l) -> l.forEach(p -> keyword(docs.get(pid), LIBRARY, p)));
    }

    /** Distinct page hashes of each process, in address order, until the per-image bound. */
    private void pages(CkptReader r, Map<Integer, Document> docs) throws IOException {
        if (options.maxPageHashes() == 0) return;
        PageStore ps = r.pages();
        if (ps.hashAlgorithm() == null || !ps.hashAlgorithm().equals("sha256")) return;
        HexFormat hex = HexFormat.of();
        long budget = options.maxPageHashes();
        for (var e : docs.entrySet()) {
            long[] range = ps.range(e.getKey());
            BitSet seen = new BitSet();
            for (long i = range[0]; i < range[1] && budget > 0; i++) {
                long page = ps.pageAt(i);
                if (page < 0 || page > Integer.MAX_VALUE || seen.get((int) page)) continue;
                seen.set((int) page);
                e.getValue().add(new StringField(PAGE, hex.formatHex(ps.hash(page)), Field.Store.NO));
                budget--;
            }
        }
    }

    /** Thrown by the string sink to stop a scan once a process has its share. */
    private static final class Enough extends RuntimeException {
        Enough() { super(null, null, false, false); }
    }

    /** Added last to each document: a search stops reading stored fields at the first string unless it wants them. */
    private void strings(CkptReader r, Map<Integer, Document> docs) throws IOException {
        if (options.maxStrings() == 0 || docs.isEmpty()) return;
        int share = Math.max(1, options.maxStrings() / docs.size());
        Strings scanner = new Strings(r, options.minStringLength(), EnumSet.allOf(Strings.Encoding.class), options.threads());
        for (var e : docs.entrySet()) {
            Set<String> seen = new LinkedHashSet<>();
            try {
                scanner.run(Set.of(e.getKey()), h -> {
                    String t = h.text().strip();
                    if (t.length() < options.minStringLength()) return;
                    if (t.length() > options.maxStringLength()) t = t.substring(0, options.maxStringLength());
                    if (seen.add(t) && seen.size() >= share) throw new Enough();
                });
            } catch (Enough done) {
                // this process has its share of strings
            }
            for (String s : seen) e.getValue().add(new Field(STRING, s, TEXT_WITH_OFFSETS));
        }
    }

    private static Long epochMillis(String iso) {
        if (iso == null) return null;
        try {
            return Instant.parse(iso).toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Document copy(Document d) {
        Document c = new Document();
        d.getFields().forEach(c::add);
        return c;
    }

    private static void keyword(Document d, String name, String value) {
        if (value != null && !value.isEmpty()) d.add(new StringField(name, value, Field.Store.YES));
    }

    private static void intField(Document d, String name, int v) {
        d.add(new IntPoint(name, v));
        d.add(new StoredField(name, v));
    }
}
