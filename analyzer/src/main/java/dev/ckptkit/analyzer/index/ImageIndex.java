package dev.ckptkit.analyzer.index;

import dev.ckptkit.io.CkptReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * The writer side of an index directory. Every image is keyed by its absolute path; an image whose stamp (size,
 * mtime) and UUID are what the index holds is skipped, otherwise its documents are replaced as a whole.
 * Changes become visible to searches at {@link #close()} (one commit).
 */
public final class ImageIndex implements Closeable {
    /** What happened to one input. */
    public enum Outcome { ADDED, UPDATED, UNCHANGED }

    /** What the index holds for an image. */
    public record Indexed(String uuid, String stamp) {}

    /** Opens an image only when it has to be (re)indexed; converts other formats on the fly. */
    public interface Opener {
        Opened open(Path p) throws IOException;
    }

    /** An open image and what to do when done with it (close the reader, delete a converted temporary file). */
    public record Opened(CkptReader reader, Closeable cleanup) implements Closeable {
        @Override
        public void close() throws IOException { cleanup.close(); }
    }

    private final Directory dir;
    private final IndexWriter writer;
    private final DirectoryReader before;
    private final ImageDocuments documents;

    public ImageIndex(Path indexDir, IndexOptions options) throws IOException {
        Files.createDirectories(indexDir);
        this.dir = FSDirectory.open(indexDir);
        IndexWriterConfig c = new IndexWriterConfig(IndexFields.analyzer()).setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setRAMBufferSizeMB(128);
        try {
            this.writer = new IndexWriter(dir, c);
            this.before = DirectoryReader.open(writer);
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
        this.documents = new ImageDocuments(options);
    }

    /** What the index holds for {@code key}, or null. */
    public Indexed lookup(String key) throws IOException {
        IndexSearcher s = new IndexSearcher(before);
        TopDocs td = s.search(new BooleanQuery.Builder()
                .add(new TermQuery(new Term(IndexFields.KEY, key)), BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(IndexFields.DOC, "image")), BooleanClause.Occur.FILTER).build(), 1);
        if (td.scoreDocs.length == 0) return null;
        StoredFields sf = s.storedFields();
        Document d = sf.document(td.scoreDocs[0].doc);
        return new Indexed(d.get(IndexFields.UUID), d.get(IndexFields.STAMP));
    }

    /**
     * Indexes {@code image} unless the index already has it with the same stamp (and, for a CKPT file, the same UUID).
     * {@code uuidOf} gives the UUID cheaply when the stamps match (null: trust the stamp).
     */
    public Outcome add(Path image, Opener opener, UuidSource uuidOf) throws IOException {
        String key = image.toAbsolutePath().normalize().toString();
        Stamp stamp = Stamp.of(image);
        Indexed old = lookup(key);
        if (old != null && old.stamp().equals(stamp.text())) {
            String uuid = uuidOf == null ? null : uuidOf.uuid(image);
            if (uuid == null || uuid.equals(old.uuid())) return Outcome.UNCHANGED;
        }
        List<Document> docs;
        try (Opened o = opener.open(image)) {
            docs = documents.build(key, stamp, o.reader());
        }
        writer.updateDocuments(new Term(IndexFields.KEY, key), docs);
        return old == null ? Outcome.ADDED : Outcome.UPDATED;
    }

    /** The UUID of an image without converting it, or null when that would need a conversion. */
    public interface UuidSource {
        String uuid(Path p) throws IOException;
    }

    /** Drops every image whose key (absolute path) no longer exists; returns how many. */
    public int prune() throws IOException {
        IndexSearcher s = new IndexSearcher(before);
        StoredFields sf = s.storedFields();
        int n = 0;
        TopDocs td = s.search(new TermQuery(new Term(IndexFields.DOC, "image")), Math.max(1, before.maxDoc()));
        for (var sd : td.scoreDocs) {
            String key = sf.document(sd.doc).get(IndexFields.KEY);
            if (key != null && !Files.exists(Path.of(key))) {
                writer.deleteDocuments(new Term(IndexFields.KEY, key));
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        try (dir; writer; before) {
            writer.commit();
        }
    }
}
