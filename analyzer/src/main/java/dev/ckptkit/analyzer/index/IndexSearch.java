package dev.ckptkit.analyzer.index;

import dev.ckptkit.analyzer.index.IndexFields.Kind;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Matches;
import org.apache.lucene.search.MatchesIterator;
import org.apache.lucene.search.PointRangeQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.automaton.ByteRunAutomaton;

/**
 * Searches an index directory with Lucene's query syntax over the fields of {@link IndexFields}. Each hit says
 * which fields matched and with which stored values (the string that matched, the file path, ...).
 */
public final class IndexSearch implements Closeable {
    /** Values shown per matched field. */
    static final int VALUES_PER_FIELD = 5;

    public record Match(String field, List<String> values) {}

    /** One ranked result; {@code pid} and {@code comm} are null for image documents. */
    public record Hit(float score, String doc, String image, String uuid, String host, Integer pid, String comm, List<Match> matches) {}

    public record Result(String query, long totalHits, boolean totalIsExact, List<Hit> hits, double millis) {}

    private final FSDirectory dir;
    private final DirectoryReader reader;
    private final IndexSearcher searcher;

    public IndexSearch(Path indexDir) throws IOException {
        if (!Files.isDirectory(indexDir)) throw new java.nio.file.NoSuchFileException(indexDir.toString(), null, "no such index directory");
        this.dir = FSDirectory.open(indexDir);
        try {
            if (!DirectoryReader.indexExists(dir)) throw new IOException(indexDir + ": not an index (create it with ckpt index -i " + indexDir + " IMAGE...)");
            this.reader = DirectoryReader.open(dir);
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
        this.searcher = new IndexSearcher(reader);
    }

    /** Documents in the index (images plus processes). */
    public int documents() { return reader.numDocs(); }

    /**
     * The {@code page:} query for the page at {@code addr} of {@code pid} in an image: finds the images that hold the
     * same page content. Zero pages and pages without data are not indexed, so they are refused.
     */
    public static String pageQuery(dev.ckptkit.io.CkptReader r, int pid, long addr) throws IOException {
        dev.ckptkit.io.PageStore ps = r.pages();
        long i = ps.find(pid, addr & -dev.ckptkit.spec.CkptFormat.PAGE_SIZE);
        if (i < 0) throw new IllegalArgumentException("pid " + pid + " has no dumped page at 0x" + Long.toHexString(addr));
        long page = ps.pageAt(i);
        if (page == dev.ckptkit.spec.CkptFormat.PAGE_ZERO) throw new IllegalArgumentException("the page at 0x" + Long.toHexString(addr) + " is all zeros (not indexed)");
        if (page < 0) throw new IllegalArgumentException("the image has no data for the page at 0x" + Long.toHexString(addr));
        if (!"sha256".equals(ps.hashAlgorithm())) throw new IllegalArgumentException("the image has no SHA-256 page hashes");
        return IndexFields.PAGE + ":" + java.util.HexFormat.of().formatHex(ps.hash(page));
    }

    /** Parses a query; a syntax error becomes an IllegalArgumentException with Lucene's message. */
    public static Query parse(String query) {
        try {
            return new Parser().parse(QuerySyntax.escapePaths(query));
        } catch (ParseException e) {
            String m = e.getMessage() == null ? "syntax error" : e.getMessage().lines().findFirst().orElse("syntax error");
            throw new IllegalArgumentException("bad query: " + m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad query: " + e.getMessage());
        }
    }

    public Result search(String queryText, int limit) throws IOException {
        long t0 = System.nanoTime();
        Query q = parse(queryText);
        TopDocs td = searcher.search(q, Math.max(1, limit));
        Wanted wanted = Wanted.of(q);
        Weight w = searcher.createWeight(searcher.rewrite(q), ScoreMode.COMPLETE_NO_SCORES, 1f);
        StoredFields sf = searcher.storedFields();
        List<Hit> hits = new ArrayList<>();
        for (ScoreDoc sd : td.scoreDocs) {
            LeafReaderContext leaf = reader.leaves().get(ReaderUtil.subIndex(sd.doc, reader.leaves()));
            Matches m = w.matches(leaf, sd.doc - leaf.docBase);
            Set<String> load = new java.util.HashSet<>(IDENTITY);
            if (m != null) for (String f : m) load.add(f);
            load.addAll(wanted.ranges.keySet());
            FieldsVisitor v = new FieldsVisitor(load);
            sf.document(sd.doc, v);
            Document d = v.getDocument();
            Integer pid = d.getField(IndexFields.PID) == null ? null : d.getField(IndexFields.PID).numericValue().intValue();
            hits.add(new Hit(sd.score, d.get(IndexFields.DOC), d.get(IndexFields.IMAGE), d.get(IndexFields.UUID), d.get(IndexFields.HOST),
                    pid, d.get(IndexFields.COMM), matches(d, m, wanted)));
        }
        return new Result(queryText, td.totalHits.value(), td.totalHits.relation() == org.apache.lucene.search.TotalHits.Relation.EQUAL_TO,
                hits, (System.nanoTime() - t0) / 1e6);
    }

    /** Stored fields every hit shows. */
    private static final Set<String> IDENTITY = Set.of(IndexFields.DOC, IndexFields.IMAGE, IndexFields.UUID, IndexFields.HOST,
            IndexFields.PID, IndexFields.COMM);

    /**
     * Loads only the given stored fields, and stops at the memory strings (stored last, and by far the largest part
     * of a process document) unless they are wanted: a hit costs a few fields, not its thousands of strings.
     */
    private static final class FieldsVisitor extends org.apache.lucene.document.DocumentStoredFieldVisitor {
        private final Set<String> wanted;

        FieldsVisitor(Set<String> wanted) {
            super(wanted);
            this.wanted = wanted;
        }

        @Override
        public Status needsField(org.apache.lucene.index.FieldInfo fi) {
            if (wanted.contains(fi.name)) return Status.YES;
            return fi.name.equals(IndexFields.STRING) ? Status.STOP : Status.NO;
        }
    }

    /** For every field the hit matched on, the stored values that match (text fields by offsets, others by term). */
    private static List<Match> matches(Document d, Matches m, Wanted wanted) throws IOException {
        Map<String, Set<String>> out = new java.util.LinkedHashMap<>();
        if (m != null) {
            for (String field : m) {
                Set<String> vals = out.computeIfAbsent(field, k -> new LinkedHashSet<>());
                if (IndexFields.TEXT.contains(field)) byOffsets(d.getValues(field), m.getMatches(field), vals);
                else for (String v : d.getValues(field)) if (vals.size() < VALUES_PER_FIELD && wanted.matches(field, v)) vals.add(v);
                if (vals.isEmpty()) vals.addAll(wanted.terms(field));  // not stored (page hashes): the term asked for
            }
        }
        for (var r : wanted.ranges.entrySet()) {
            for (IndexableField f : d.getFields(r.getKey())) {
                if (f.numericValue() == null) continue;
                long v = f.numericValue().longValue();
                for (long[] lohi : r.getValue()) if (v >= lohi[0] && v <= lohi[1]) out.computeIfAbsent(r.getKey(), k -> new LinkedHashSet<>()).add(Long.toString(v));
            }
        }
        List<Match> list = new ArrayList<>();
        out.forEach((f, v) -> list.add(new Match(f, List.copyOf(v))));
        return list;
    }

    /** Maps match offsets to the stored values: values are indexed one after the other, offset gap 1. */
    private static void byOffsets(String[] values, MatchesIterator it, Set<String> out) throws IOException {
        if (it == null) return;
        long[] base = new long[values.length];
        for (int i = 1; i < values.length; i++) base[i] = base[i - 1] + values[i - 1].length() + 1;
        while (it.next() && out.size() < VALUES_PER_FIELD) {
            int so = it.startOffset();
            if (so < 0) continue;
            int i = Arrays.binarySearch(base, so);
            if (i < 0) i = -i - 2;
            if (i >= 0 && i < values.length) out.add(values[i]);
        }
    }

    /** The terms, patterns and numeric ranges a query asks for, per field, to tell which stored values matched. */
    private static final class Wanted {
        final Map<String, List<BytesRef>> terms = new HashMap<>();
        final Map<String, List<ByteRunAutomaton>> automata = new HashMap<>();
        final Map<String, List<long[]>> ranges = new HashMap<>();

        static Wanted of(Query q) {
            Wanted w = new Wanted();
            q.visit(new QueryVisitor() {
                @Override
                public void consumeTerms(Query query, org.apache.lucene.index.Term... ts) {
                    for (var t : ts) w.terms.computeIfAbsent(t.field(), k -> new ArrayList<>()).add(t.bytes());
                }

                @Override
                public void consumeTermsMatching(Query query, String field, java.util.function.Supplier<ByteRunAutomaton> a) {
                    w.automata.computeIfAbsent(field, k -> new ArrayList<>()).add(a.get());
                }

                @Override
                public void visitLeaf(Query query) {
                    if (query instanceof PointRangeQuery p && p.getNumDims() == 1) {
                        boolean isInt = p.getBytesPerDim() == Integer.BYTES;
                        long lo = isInt ? IntPoint.decodeDimension(p.getLowerPoint(), 0) : LongPoint.decodeDimension(p.getLowerPoint(), 0);
                        long hi = isInt ? IntPoint.decodeDimension(p.getUpperPoint(), 0) : LongPoint.decodeDimension(p.getUpperPoint(), 0);
                        w.ranges.computeIfAbsent(p.getField(), k -> new ArrayList<>()).add(new long[] {lo, hi});
                    }
                }

                @Override
                public QueryVisitor getSubVisitor(org.apache.lucene.search.BooleanClause.Occur occur, Query parent) {
                    return occur == org.apache.lucene.search.BooleanClause.Occur.MUST_NOT ? QueryVisitor.EMPTY_VISITOR : this;
                }
            });
            return w;
        }

        boolean matches(String field, String value) {
            BytesRef b = new BytesRef(value);
            for (BytesRef t : terms.getOrDefault(field, List.of())) if (t.bytesEquals(b)) return true;
            for (ByteRunAutomaton a : automata.getOrDefault(field, List.of())) if (a.run(b.bytes, b.offset, b.length)) return true;
            return false;
        }

        List<String> terms(String field) {
            return terms.getOrDefault(field, List.of()).stream().map(BytesRef::utf8ToString).toList();
        }
    }

    /** The classic parser over the default fields, with numeric fields parsed as points. */
    private static final class Parser extends MultiFieldQueryParser {
        Parser() {
            super(IndexFields.DEFAULT_FIELDS, IndexFields.analyzer());
            setAllowLeadingWildcard(true);
            // one term that analyzes into several tokens (CKPT-MARKER-1 -> ckpt marker 1) is a phrase, not an OR
            setSplitOnWhitespace(true);
            setAutoGeneratePhraseQueries(true);
        }

        @Override
        protected Query getFieldQuery(String field, String text, boolean quoted) throws ParseException {
            Kind k = numeric(field);
            if (k == Kind.INT) return IntPoint.newExactQuery(field, (int) number(field, text));
            if (k == Kind.LONG) return LongPoint.newExactQuery(field, number(field, text));
            return super.getFieldQuery(field, text, quoted);
        }

        @Override
        protected Query getRangeQuery(String field, String a, String b, boolean startInclusive, boolean endInclusive) throws ParseException {
            Kind k = numeric(field);
            if (k == null) return super.getRangeQuery(field, a, b, startInclusive, endInclusive);
            long lo = a == null || a.equals("*") ? Long.MIN_VALUE : number(field, a) + (startInclusive ? 0 : 1);
            long hi = b == null || b.equals("*") ? Long.MAX_VALUE : number(field, b) - (endInclusive ? 0 : 1);
            if (k == Kind.INT) {
                return IntPoint.newRangeQuery(field, (int) Math.max(lo, Integer.MIN_VALUE), (int) Math.min(hi, Integer.MAX_VALUE));
            }
            return LongPoint.newRangeQuery(field, lo, hi);
        }

        private static Kind numeric(String field) {
            if (field == null) return null;
            if (IndexFields.INTS.contains(field)) return Kind.INT;
            if (IndexFields.LONGS.contains(field)) return Kind.LONG;
            return null;
        }

        private static long number(String field, String text) throws ParseException {
            try {
                long v = Long.parseLong(text.strip());
                if (IndexFields.INTS.contains(field) && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) throw new NumberFormatException();
                return v;
            } catch (NumberFormatException e) {
                throw new ParseException(field + ": '" + text + "' is not a number");
            }
        }
    }

    @Override
    public void close() throws IOException {
        try (dir) {
            reader.close();
        }
    }
}
