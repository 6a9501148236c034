package dev.ckptkit.io.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ckptkit.io.CorruptImageException;
import java.io.IOException;

/** Manifest to and from JSON bytes; keys of maps sorted, so the same manifest always gives the same bytes. */
public final class ManifestCodec {
    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public byte[] encode(Manifest m) {
        try {
            return mapper.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public Manifest decode(byte[] json, String resource, long offset) throws CorruptImageException {
        try {
            return mapper.readValue(json, Manifest.class);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new CorruptImageException(resource, offset, "manifest is not valid JSON: "
                    + String.valueOf(why).lines().findFirst().orElse(""));
        }
    }
}
