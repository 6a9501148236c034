package dev.ckptkit.analyzer.index;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The field table in docs/diff-search.md (for the README) is the one IndexFields documents. */
class FieldDocsTest {
    @Test
    void markdownTableMatchesTheCode() throws Exception {
        Path md = Path.of(System.getProperty("ckpt.root", ".."), "docs", "diff-search.md");
        String text = Files.readString(md);
        assertTrue(text.contains(IndexFields.markdownTable()), "update " + md + " with:\n" + IndexFields.markdownTable());
    }
}
