package dev.ckptkit.backend;

import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.WriterOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What an import needs from its caller: where to write, how, and where to report progress.
 * The backend calls {@link #createWriter(byte[])} once, with bytes that identify its input, so that the same input
 * always gives the same image UUID and the same bytes.
 */
public final class ImportContext {
    private final Path output;
    private final WriterOptions base;
    private final String capturedAt;
    private final Map<String, String> labels;
    private final Progress progress;

    public ImportContext(Path output, WriterOptions base, String capturedAt, Map<String, String> labels, Progress progress) {
        this.output = output;
        this.base = base;
        this.capturedAt = capturedAt;
        this.labels = labels == null ? Map.of() : Map.copyOf(labels);
        this.progress = progress == null ? Progress.NONE : progress;
    }

    public CkptWriter createWriter(byte[] identity) throws IOException {
        return CkptWriter.create(output, base.withUuid(WriterOptions.uuidFrom(identity)));
    }

    public Path output() { return output; }

    /** ISO-8601 capture time given by the caller, or null (then the manifest has none: deterministic output). */
    public String capturedAt() { return capturedAt; }

    public Map<String, String> labels() { return labels; }

    public Progress progress() { return progress; }
}
