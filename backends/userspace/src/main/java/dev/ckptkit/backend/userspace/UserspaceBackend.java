package dev.ckptkit.backend.userspace;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.ImportContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checkpoints taken from inside the process by libckpt.so ({@code ckpt launch}, {@code ckpt checkpoint},
 * {@code ckpt restart}). As an import backend it reads a saved libckpt stream (PROTOCOL.md), e.g. one captured with
 * {@code socat} for debugging.
 */
public final class UserspaceBackend implements Backend {
    @Override
    public String name() { return "userspace"; }

    @Override
    public String description() {
        return "in-process checkpoints by libckpt.so (ckpt launch/checkpoint/restart); imports saved libckpt streams";
    }

    @Override
    public boolean canImport(Path input) throws IOException {
        if (!Files.isRegularFile(input) || Files.size(input) < Protocol.FRAME_HEADER + Protocol.HELLO_SIZE) return false;
        try (InputStream in = Files.newInputStream(input)) {
            ByteBuffer b = ByteBuffer.wrap(in.readNBytes(Protocol.FRAME_HEADER + 4)).order(ByteOrder.LITTLE_ENDIAN);
            long hello = b.getLong(8);  // 96 bytes, or more from a library that appends fields (104 with restored_addr)
            return b.getInt(0) == Protocol.HELLO && hello >= Protocol.HELLO_SIZE && hello <= 4096 && b.getInt(16) == Protocol.VERSION;
        }
    }

    @Override
    public void importImage(Path input, ImportContext ctx) throws IOException {
        try (var in = java.nio.channels.FileChannel.open(input);
             var w = ctx.createWriter(("userspace-stream:" + input.toAbsolutePath()).getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            new StreamImporter(w, null, ctx.labels(), ctx.capturedAt()).importOne(in, input.toString());
            w.commit();
        }
    }
}
