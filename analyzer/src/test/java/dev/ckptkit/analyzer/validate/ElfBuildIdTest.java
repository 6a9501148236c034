package dev.ckptkit.analyzer.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfBuildIdTest {
    @TempDir
    Path tmp;

    /** A minimal ELF64 with one PT_NOTE holding a GNU build-id. */
    static byte[] elf(byte[] id) {
        ByteBuffer b = ByteBuffer.allocate(64 + 56 + 16 + id.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x464c457f).put((byte) 2).put((byte) 1).put((byte) 1);
        b.position(32).putLong(64);                  // e_phoff
        b.position(54).putShort((short) 56).putShort((short) 1); // e_phentsize, e_phnum
        b.position(64).putInt(4);                    // PT_NOTE
        b.position(64 + 8).putLong(120);             // p_offset
        b.position(64 + 32).putLong(16 + id.length); // p_filesz
        b.position(120).putInt(4).putInt(id.length).putInt(3).put(new byte[] {'G', 'N', 'U', 0}).put(id);
        return b.array();
    }

    @Test
    void readsTheNote() throws Exception {
        Path f = tmp.resolve("a.out");
        Files.write(f, elf(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}));
        assertEquals("deadbeef", ElfBuildId.of(f));
    }

    @Test
    void notElfTruncatedAndHostileLengthsGiveNull() throws Exception {
        Path f = tmp.resolve("x");
        Files.writeString(f, "#!/bin/sh\n");
        assertNull(ElfBuildId.of(f));
        byte[] e = elf(new byte[20]);
        Files.write(f, java.util.Arrays.copyOf(e, 100));
        assertNull(ElfBuildId.of(f));
        ByteBuffer.wrap(e).order(ByteOrder.LITTLE_ENDIAN).putInt(124, Integer.MAX_VALUE); // descsz
        Files.write(f, e);
        assertNull(ElfBuildId.of(f));
    }

    @Test
    void agreesWithReadelfOnARealBinary() throws Exception {
        Path ls = Path.of("/bin/ls");
        assumeTrue(Files.exists(ls));
        Process p;
        try {
            p = new ProcessBuilder("readelf", "-n", ls.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException noReadelf) {
            assumeTrue(false, "no readelf");
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String line = out.toString().lines().filter(l -> l.contains("Build ID:")).findFirst().orElse(null);
        assumeTrue(line != null, "no build-id in " + ls);
        assertEquals(line.substring(line.indexOf(':') + 1).trim(), ElfBuildId.of(ls));
    }
}
