package dev.ckptkit.analyzer.validate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ckptkit.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Host profiles to and from JSON files; refuses profiles of a newer major schema. */
public final class HostProfiles {
    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public String toJson(HostProfile p) {
        try {
            return mapper.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public void write(HostProfile p, Path out) throws IOException {
        AtomicFiles.write(out, (toJson(p) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Reads a profile; a malformed or too new one is an IOException with a one-line message naming the file. */
    public HostProfile read(Path in) throws IOException {
        HostProfile p;
        try {
            p = mapper.readValue(Files.readAllBytes(in), HostProfile.class);
        } catch (JsonProcessingException e) {
            throw new IOException(in + ": not a host profile: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (p == null || p.schema() < 1) throw new IOException(in + ": not a host profile (no \"schema\")");
        if (p.schema() > HostProfile.SCHEMA) {
            throw new IOException(in + ": host profile schema " + p.schema() + " is newer than this ckpt (" + HostProfile.SCHEMA + ")");
        }
        return p;
    }
}
