package dev.ckptkit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The native SHA-256 is used where libcrypto is, and gives the JDK's digests on heap and native memory. */
class PageHasherTest {
    @Test
    void usesOpenSslWhereTheMachineHasIt() {
        boolean hasLibcrypto = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libcrypto.so.3"))
                || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libcrypto.so.3"));
        try (PageHasher h = PageHasher.create()) {
            assertEquals(hasLibcrypto ? "openssl" : "jdk", h.implementation());
        }
    }

    @Test
    void nativeAndJdkDigestsAgree() {
        Random r = new Random(42);
        try (PageHasher fast = PageHasher.create(); PageHasher jdk = PageHasher.jdk(); Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < 500; i++) {
                byte[] page = new byte[4096];
                if (i % 7 != 0) r.nextBytes(page);  // some zero pages too
                if (i % 5 == 1) page[r.nextInt(4096)] ^= 1;
                MemorySegment heap = MemorySegment.ofArray(page);
                MemorySegment off = arena.allocate(4096, 4096).copyFrom(heap);
                byte[] a = new byte[40], b = new byte[40], c = new byte[40];
                fast.hash(heap, a, 3);
                jdk.hash(heap, b, 3);
                fast.hash(off, c, 3);
                assertArrayEquals(b, a, "heap page " + i);
                assertArrayEquals(b, c, "native page " + i);
            }
        }
    }

    @Test
    void knownAnswer() {
        // SHA-256 of a 4096-byte zero page (sha256sum of head -c 4096 /dev/zero)
        byte[] out = new byte[32];
        try (PageHasher h = PageHasher.create()) {
            h.hash(MemorySegment.ofArray(new byte[4096]), out, 0);
        }
        assertEquals("ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7", java.util.HexFormat.of().formatHex(out));
    }
}
