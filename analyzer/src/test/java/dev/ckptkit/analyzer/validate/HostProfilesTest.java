package dev.ckptkit.analyzer.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostProfilesTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripAndUnknownFieldsIgnored() throws Exception {
        HostProfile h = Fixture.oneProcess().matchingHost();
        HostProfiles io = new HostProfiles();
        Path f = tmp.resolve("h.json");
        io.write(h, f);
        assertEquals(h, io.read(f));
        Files.writeString(f, Files.readString(f).replaceFirst("\\{", "{\"addedInSchema1_5\": 7,"));
        assertEquals(h, io.read(f));
    }

    @Test
    void refusesNewerSchemaAndGarbageWithOneLine() throws Exception {
        HostProfiles io = new HostProfiles();
        Path f = tmp.resolve("h.json");
        Files.writeString(f, "{\"schema\": 2}");
        IOException e = assertThrows(IOException.class, () -> io.read(f));
        assertTrue(e.getMessage().contains("schema 2 is newer"), e.getMessage());
        Files.writeString(f, "{\"schema\": ");
        e = assertThrows(IOException.class, () -> io.read(f));
        assertTrue(e.getMessage().startsWith(f + ": not a host profile"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        Files.writeString(f, "[]");
        assertThrows(IOException.class, () -> io.read(f));
    }
}
