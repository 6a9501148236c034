package dev.ckptkit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ckptkit.io.table.TableCodec;
import dev.ckptkit.io.table.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SPEC.md's table of columns is generated from the row records; this keeps the two in step. */
class SpecTablesTest {
    private static final String BEGIN = "<!-- tables:begin (generated from the row records by SpecTablesTest; do not edit by hand) -->";
    private static final String END = "<!-- tables:end -->";

    static String render() {
        StringBuilder sb = new StringBuilder();
        List<TableCodec<?>> all = new ArrayList<>(Tables.STORED);
        all.add(Tables.PAGES);
        for (TableCodec<?> t : all) {
            sb.append("\n#### `").append(t.name()).append("`\n").append(t.doc()).append("\n\n");
            sb.append("| column | type | nullable | meaning |\n|---|---|---|---|\n");
            for (TableCodec.Column c : t.columns()) {
                sb.append("| `").append(c.name()).append("` | ").append(c.arrowType()).append(" | ")
                        .append(c.nullable() ? "yes" : "no").append(" | ").append(c.doc().replace("|", "\\|")).append(" |\n");
            }
        }
        return sb.toString();
    }

    @Test
    void specListsEveryColumn() throws IOException {
        Path spec = Path.of(System.getProperty("ckpt.root", "..")).resolve("format-spec/SPEC.md");
        String text = Files.readString(spec);
        int b = text.indexOf(BEGIN), e = text.indexOf(END);
        String expected = text.substring(0, b + BEGIN.length()) + "\n" + render() + text.substring(e);
        if (Boolean.getBoolean("spec.write")) Files.writeString(spec, expected);
        assertEquals(expected, Files.readString(spec), "SPEC.md tables are out of date: run with -Dspec.write=true");
    }
}
