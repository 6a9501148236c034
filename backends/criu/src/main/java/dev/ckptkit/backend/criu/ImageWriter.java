package dev.ckptkit.backend.criu;

import com.google.protobuf.MessageLite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes one CRIU protobuf image the way CRIU frames it (image format v1.1): the inventory starts with its own
 * magic only, every other image with IMG_COMMON then its type magic; then each entry as a native-endian u32 size
 * and the message. The counterpart of {@link ImageParser} for images made from the common tables.
 */
final class ImageWriter {
    private ImageWriter() {}

    static void write(Path file, ImageKind kind, List<? extends MessageLite> entries) throws IOException {
        Files.write(file, bytes(kind, entries));
    }

    static void write(Path file, ImageKind kind, MessageLite entry) throws IOException {
        write(file, kind, List.of(entry));
    }

    static byte[] bytes(ImageKind kind, List<? extends MessageLite> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        if (kind != ImageKind.INVENTORY) b.putInt(ImageKind.IMG_COMMON);
        b.putInt(kind.magic());
        out.write(b.array(), 0, b.position());
        for (MessageLite m : entries) {
            byte[] payload = m.toByteArray();
            b.clear();
            b.putInt(payload.length);
            out.write(b.array(), 0, 4);
            out.write(payload);
        }
        return out.toByteArray();
    }
}
