package dev.ckptkit.analyzer.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.analyzer.inspect.SyntheticImage;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.RandomImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Index synthetic images whose content is known, then search them field by field. */
class IndexSearchTest {
    @TempDir
    Path tmp;
    Path idx;
    Path synth;
    Path copy;
    Path random;
    SyntheticImage.Facts facts;

    @BeforeEach
    void images() throws IOException {
        idx = tmp.resolve("idx");
        synth = tmp.resolve("synth.ckpt");
        facts = SyntheticImage.write(synth, 1 << 20, 0);
        copy = tmp.resolve("copy.ckpt");
        Files.copy(synth, copy);
        random = tmp.resolve("random.ckpt");
        RandomImages.write(RandomImages.model(7, 20), random, 0, 1);
    }

    private static ImageIndex.Opened open(Path p) throws IOException {
        CkptReader r = CkptReader.open(p);
        return new ImageIndex.Opened(r, r::close);
    }

    private static String uuid(Path p) throws IOException {
        try (CkptReader r = CkptReader.open(p)) {
            return r.header().uuid().toString();
        }
    }

    private List<ImageIndex.Outcome> index(IndexOptions o, Path... images) throws IOException {
        try (ImageIndex i = new ImageIndex(idx, o)) {
            List<ImageIndex.Outcome> out = new java.util.ArrayList<>();
            for (Path p : images) out.add(i.add(p, IndexSearchTest::open, IndexSearchTest::uuid));
            return out;
        }
    }

    private IndexSearch.Result search(String q) throws IOException {
        try (IndexSearch s = new IndexSearch(idx)) {
            return s.search(q, 50);
        }
    }

    private static Set<String> where(IndexSearch.Result r) {
        return r.hits().stream().map(h -> Path.of(h.image()).getFileName() + ":" + h.pid()).collect(Collectors.toSet());
    }

    @Test
    void findsProcessesByTheirFields() throws IOException {
        index(IndexOptions.defaults(), synth, random);
        assertEquals(Set.of("synth.ckpt:" + SyntheticImage.WORKER), where(search("comm:worker AND env:PATH*")));
        IndexSearch.Hit h = search("comm:worker AND env:PATH*").hits().getFirst();
        assertEquals(List.of(new IndexSearch.Match("comm", List.of("worker")), new IndexSearch.Match("env", List.of("PATH=/usr/bin"))), h.matches());
        assertEquals(Set.of("synth.ckpt:" + SyntheticImage.WORKER), where(search("file:/tmp/secret.txt")));
        assertEquals(Set.of("synth.ckpt:" + SyntheticImage.WORKER), where(search("socket:\"127.0.0.1:47001\"")));
        assertEquals(Set.of("synth.ckpt:" + SyntheticImage.WORKER), where(search("port:47001")));
        assertEquals(3, search("library:*libc.so*").hits().size());
        assertEquals(Set.of("synth.ckpt:" + SyntheticImage.WORKER, "synth.ckpt:" + SyntheticImage.READER),
                where(search("pid:[101 TO 102]")));
        assertEquals(Set.of("synth.ckpt:null"), where(search("doc:image AND mount:/data")));
        assertTrue(search("comm:nosuchthing").hits().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> search("pid:abc"));
        assertThrows(IllegalArgumentException.class, () -> search("comm:(unclosed"));
    }

    @Test
    void findsMemoryStringsAndSaysWhichOne() throws IOException {
        index(IndexOptions.defaults(), synth, random);
        String marker = facts.markers().values().iterator().next();
        IndexSearch.Result r = search("string:\"" + marker + "\"");
        assertEquals(Set.of("synth.ckpt:" + SyntheticImage.WORKER), where(r));
        assertTrue(r.hits().getFirst().matches().getFirst().values().contains(marker), r.toString());
        // unquoted, the marker is still one phrase (not ckpt OR marker OR 0)
        assertEquals(where(r), where(search(marker)));
        assertEquals(Set.of("synth.ckpt:" + SyntheticImage.WORKER), where(search("string:\"" + facts.wideText() + "\"")));
        assertEquals(Set.of("synth.ckpt:" + SyntheticImage.WORKER), where(search("string:\"" + facts.crossPageText() + "\"")));
    }

    @Test
    void stringsAreBoundedPerImage() throws IOException {
        index(new IndexOptions(3, 5, 256, 0, 1), synth);
        try (IndexSearch s = new IndexSearch(idx)) {
            int total = 0;
            for (IndexSearch.Hit h : s.search("doc:process", 10).hits()) total += h.pid() == null ? 0 : 1;
            assertEquals(3, total);
        }
        // with a share of one string per process, the workers' later markers are not indexed
        assertTrue(search("string:\"" + facts.markers().values().iterator().next() + "\"").hits().isEmpty());
        assertTrue(search("page:*").hits().isEmpty(), "no page hashes with --max-page-hashes 0");
    }

    @Test
    void findsImagesSharingAPage() throws IOException {
        index(IndexOptions.defaults(), synth, copy, random);
        String hash;
        try (CkptReader r = CkptReader.open(synth)) {
            PageStore ps = r.pages();
            hash = HexFormat.of().formatHex(ps.hash(ps.pageAt(ps.find(SyntheticImage.READER, facts.sharedPage()))));
        }
        assertEquals(Set.of("synth.ckpt:" + SyntheticImage.WORKER, "synth.ckpt:" + SyntheticImage.READER,
                "copy.ckpt:" + SyntheticImage.WORKER, "copy.ckpt:" + SyntheticImage.READER), where(search("page:" + hash)));
        assertEquals(List.of(new IndexSearch.Match("page", List.of(hash))), search("page:" + hash).hits().getFirst().matches());
    }

    @Test
    void reindexesOnlyWhatChanged() throws IOException {
        assertEquals(List.of(ImageIndex.Outcome.ADDED, ImageIndex.Outcome.ADDED), index(IndexOptions.defaults(), synth, random));
        int docs;
        try (IndexSearch s = new IndexSearch(idx)) {
            docs = s.documents();
        }
        assertEquals(2 + 3 + RandomImages.model(7, 20).processes().size(), docs);
        assertEquals(List.of(ImageIndex.Outcome.UNCHANGED, ImageIndex.Outcome.UNCHANGED), index(IndexOptions.defaults(), synth, random));
        // a different image written over the same path: new stamp, re-indexed, old documents gone
        RandomImages.write(RandomImages.model(8, 20), random, 0, 1);
        Files.setLastModifiedTime(random, FileTime.fromMillis(Files.getLastModifiedTime(random).toMillis() + 5000));
        assertEquals(List.of(ImageIndex.Outcome.UNCHANGED, ImageIndex.Outcome.UPDATED), index(IndexOptions.defaults(), synth, random));
        try (IndexSearch s = new IndexSearch(idx)) {
            assertEquals(2 + 3 + RandomImages.model(8, 20).processes().size(), s.documents());
        }
        assertTrue(search("arg:\"--seed=7\"").hits().isEmpty());
        assertEquals(RandomImages.model(8, 20).processes().size(), search("arg:\"--seed=8\"").hits().size());
    }

    @Test
    void slashesArePathsUnlessTheyCloseARegex() {
        assertEquals("file:\\/etc\\/shadow", QuerySyntax.escapePaths("file:/etc/shadow"));
        assertEquals("file:/.*shadow/", QuerySyntax.escapePaths("file:/.*shadow/"));
        assertEquals("file:\"/etc/shadow\"", QuerySyntax.escapePaths("file:\"/etc/shadow\""));
        assertEquals("(file:/ab/) AND cwd:\\/tmp", QuerySyntax.escapePaths("(file:/ab/) AND cwd:/tmp"));
    }
}
