package dev.ckptkit.analyzer.validate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/validate.md lists every rule and every reason code the sources can emit. */
class DocsTableTest {
    private static final Pattern CODE = Pattern.compile("\"((?:INTEGRITY|INCREMENTAL|REF|AREA|TREE|LEAK|HOST|GLUE|USERSPACE|TARGET)_[A-Z0-9_]+)\"");

    @Test
    void everyRuleAndCodeIsDocumented() throws Exception {
        Path root = Path.of(System.getProperty("ckpt.root", ".."));
        String doc = Files.readString(root.resolve("docs/validate.md"));
        for (Rule r : Rule.all()) assertTrue(doc.contains("`" + r.name() + "`"), r.name() + " missing from docs/validate.md");
        Path src = root.resolve("analyzer/src/main/java/dev/ckptkit/analyzer/validate");
        int seen = 0;
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                Matcher m = CODE.matcher(Files.readString(f));
                while (m.find()) {
                    seen++;
                    assertTrue(doc.contains("`" + m.group(1) + "`"), m.group(1) + " (" + f.getFileName() + ") missing from docs/validate.md");
                }
            }
        }
        assertTrue(seen > 40, "found only " + seen + " codes: pattern out of date?");
    }
}
