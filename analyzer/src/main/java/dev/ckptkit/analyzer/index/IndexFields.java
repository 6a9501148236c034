package dev.ckptkit.analyzer.index;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.standard.StandardAnalyzer;

/**
 * The fields of the image index: one document per image ({@code doc:image}) and one per process
 * ({@code doc:process}). Keyword fields hold exact, case-sensitive values (wildcards work: {@code env:PATH*});
 * text fields are tokenized and lower-cased (phrases work: {@code string:"BEGIN RSA"}); numeric fields take exact
 * values and ranges ({@code pid:[100 TO 200]}). {@link #DOCS} is the table the README shows.
 */
public final class IndexFields {
    private IndexFields() {}

    public static final String DOC = "doc", KEY = "key", IMAGE = "image", UUID = "uuid", STAMP = "stamp", HOST = "host",
            KERNEL = "kernel", ARCH = "arch", BACKEND = "backend", TIME = "time", LABEL = "label", PID = "pid", PPID = "ppid",
            UID = "uid", COMM = "comm", EXE = "exe", CMDLINE = "cmdline", ARG = "arg", ENV = "env", ENV_KEY = "env_key",
            ENV_VALUE = "env_value", CWD = "cwd", FILE = "file", SOCKET = "socket", PORT = "port", MOUNT = "mount",
            LIBRARY = "library", PAGE = "page", STRING = "string";

    public enum Kind { KEYWORD, TEXT, INT, LONG, STORED }

    /** One documented field: name, kind, which documents have it, what it holds, an example query. */
    public record FieldDoc(String name, Kind kind, String docs, String meaning, String example) {}

    public static final List<FieldDoc> DOCS = List.of(
            new FieldDoc(DOC, Kind.KEYWORD, "both", "document type: image or process", "doc:image"),
            new FieldDoc(IMAGE, Kind.KEYWORD, "both", "absolute path of the indexed image (file or CRIU dir/archive)", "image:*prod*"),
            new FieldDoc(UUID, Kind.KEYWORD, "both", "image UUID from the CKPT header", "uuid:1b4e28ba-*"),
            new FieldDoc(HOST, Kind.KEYWORD, "both", "host name the image was taken on", "host:web-1"),
            new FieldDoc(KERNEL, Kind.KEYWORD, "image", "kernel release", "kernel:6.1*"),
            new FieldDoc(ARCH, Kind.KEYWORD, "image", "architecture", "arch:x86_64"),
            new FieldDoc(BACKEND, Kind.KEYWORD, "image", "backend that produced the image (criu, elf-core, ...)", "backend:criu"),
            new FieldDoc(TIME, Kind.LONG, "image", "capture time, epoch milliseconds (when the image records it)", "time:[1764000000000 TO *]"),
            new FieldDoc(LABEL, Kind.KEYWORD, "image", "manifest labels as key=value", "label:env=prod"),
            new FieldDoc(PID, Kind.INT, "process", "process id", "pid:20439"),
            new FieldDoc(PPID, Kind.INT, "process", "parent process id", "ppid:1"),
            new FieldDoc(UID, Kind.LONG, "process", "real uid", "uid:0"),
            new FieldDoc(COMM, Kind.KEYWORD, "process", "command name", "comm:nginx"),
            new FieldDoc(EXE, Kind.KEYWORD, "process", "executable path", "exe:*bin/python3*"),
            new FieldDoc(CMDLINE, Kind.TEXT, "process", "argv joined by spaces, tokenized", "cmdline:\"--port 8080\""),
            new FieldDoc(ARG, Kind.KEYWORD, "process", "each argv element, exact", "arg:\"--debug\""),
            new FieldDoc(ENV, Kind.KEYWORD, "process", "each environment entry KEY=VALUE", "env:PATH*"),
            new FieldDoc(ENV_KEY, Kind.KEYWORD, "process", "each environment variable name", "env_key:AWS_SECRET_ACCESS_KEY"),
            new FieldDoc(ENV_VALUE, Kind.KEYWORD, "process", "each environment variable value", "env_value:prod"),
            new FieldDoc(CWD, Kind.KEYWORD, "process", "working directory", "cwd:/srv/*"),
            new FieldDoc(FILE, Kind.KEYWORD, "process", "path of every open file (fds), pipes as pipe:[inode]", "file:/etc/shadow"),
            new FieldDoc(SOCKET, Kind.KEYWORD, "process", "local and peer address of every socket (ip:port, [ip6]:port, unix path)", "socket:\"127.0.0.1:5432\""),
            new FieldDoc(PORT, Kind.INT, "process", "local and peer port of every inet socket", "port:5432"),
            new FieldDoc(MOUNT, Kind.KEYWORD, "both", "mount points of the image", "mount:/data"),
            new FieldDoc(LIBRARY, Kind.KEYWORD, "process", "path of every mapped shared library (*.so*)", "library:*libssl*"),
            new FieldDoc(PAGE, Kind.KEYWORD, "process", "SHA-256 (hex) of every distinct non-zero page; finds images sharing a page (bounded, see --max-page-hashes)", "page:9f86d08..."),
            new FieldDoc(STRING, Kind.TEXT, "process", "printable strings of the process memory (ASCII and UTF-16LE, distinct, bounded per image, see --max-strings)", "string:\"BEGIN RSA\""));

    /** Keyword fields also searched by a query term without a field name, with the text fields. */
    public static final String[] DEFAULT_FIELDS = {COMM, EXE, ARG, CMDLINE, FILE, ENV_KEY, ENV_VALUE, SOCKET, LIBRARY, STRING, IMAGE, HOST};

    public static final Set<String> TEXT = Set.of(CMDLINE, STRING);
    public static final Set<String> INTS = Set.of(PID, PPID, PORT);
    public static final Set<String> LONGS = Set.of(UID, TIME);

    /** The field table of the README (kept in sync by a test). */
    public static String markdownTable() {
        StringBuilder b = new StringBuilder("| field | kind | documents | holds | example |\n|---|---|---|---|---|\n");
        for (FieldDoc f : DOCS) {
            b.append("| `").append(f.name()).append("` | ").append(f.kind().name().toLowerCase()).append(" | ").append(f.docs())
                    .append(" | ").append(f.meaning().replace("|", "\\|")).append(" | `").append(f.example()).append("` |\n");
        }
        return b.toString();
    }

    /** Keyword analysis everywhere but the text fields. */
    public static Analyzer analyzer() {
        StandardAnalyzer text = new StandardAnalyzer();
        return new PerFieldAnalyzerWrapper(new KeywordAnalyzer(), Map.of(CMDLINE, text, STRING, text));
    }
}
