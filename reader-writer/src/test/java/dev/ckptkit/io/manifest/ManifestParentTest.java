package dev.ckptkit.io.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The {@code parent} member of an incremental image's manifest: written last, read back, absent when null. */
class ManifestParentTest {
    private final ManifestCodec codec = new ManifestCodec();

    @Test
    void parentRoundTripsAndComesLast() throws Exception {
        Manifest m = Manifest.minimal("criu", "kernel").withParent(new Manifest.Parent("0d9e6c1e-8f1a-5b7e-9c39-3f1b2a4c5d6e", "base.ckpt"));
        String json = new String(codec.encode(m), StandardCharsets.UTF_8);
        assertTrue(json.indexOf("\"parent\"") > json.indexOf("\"style\""), json);
        Manifest back = codec.decode(json.getBytes(StandardCharsets.UTF_8), "t", 0);
        assertEquals(m.parent(), back.parent());
        assertEquals(m, back);
    }

    @Test
    void imagesWithoutParentWriteNoMemberAndOldManifestsReadAsNoParent() throws Exception {
        Manifest m = Manifest.minimal("criu", "kernel");
        String json = new String(codec.encode(m), StandardCharsets.UTF_8);
        assertFalse(json.contains("parent"), json);
        assertNull(codec.decode("{\"schema\":1,\"style\":\"kernel\"}".getBytes(StandardCharsets.UTF_8), "t", 0).parent());
    }
}
