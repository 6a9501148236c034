package dev.ckptkit.backend;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Opens anything the toolkit can read as a {@link CkptReader}: a CKPT file directly, or any input a backend
 * recognises (CRIU dir, container archive, ELF core, DMTCP image), converted on the fly into a temporary file
 * that is deleted when the returned reader's {@link Opened#close()} runs.
 */
public final class ImageOpener {
    private final Backends backends;

    public ImageOpener(Backends backends) {
        this.backends = backends;
    }

    /** A reader plus the temporary file behind it, if any. */
    public record Opened(CkptReader reader, Path temp) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            reader.close();
            if (temp != null) Files.deleteIfExists(temp);
        }
    }

    public static boolean isCkpt(Path p) throws IOException {
        if (!Files.isRegularFile(p)) return false;
        try (InputStream in = Files.newInputStream(p)) {
            return Arrays.equals(in.readNBytes(8), CkptFormat.MAGIC);
        }
    }

    public Opened open(Path input) throws IOException {
        if (!Files.exists(input)) throw new java.nio.file.NoSuchFileException(input.toString(), null, "no such file or directory");
        if (isCkpt(input)) return new Opened(CkptReader.open(input), null);
        Backend b = backends.forInput(input);
        if (b == null) throw new IOException(input + ": not a CKPT file, and no backend recognises it");
        Path tmp = Files.createTempFile("ckpt-", ".ckpt");
        try {
            b.importImage(input, new ImportContext(tmp, WriterOptions.defaults(WriterOptions.uuidFrom(input.toString())),
                    null, null, Progress.NONE));
            return new Opened(CkptReader.open(tmp), tmp);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }
}
