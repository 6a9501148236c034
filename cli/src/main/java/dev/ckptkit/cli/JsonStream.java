package dev.ckptkit.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;

/**
 * One JSON document written as it goes: the header fields, then an array of hits streamed one by one, then a
 * count, so that millions of hits need no memory.
 */
final class JsonStream implements AutoCloseable {
    private final JsonGenerator gen;
    private final ObjectMapper mapper = new ObjectMapper();
    private long count;

    JsonStream(PrintWriter out, ObjectNode header, String arrayName) throws IOException {
        this.gen = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter();
        gen.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        gen.writeStartObject();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            gen.writeFieldName(e.getKey());
            mapper.writeTree(gen, e.getValue());
        }
        gen.writeArrayFieldStart(arrayName);
    }

    void add(JsonNode item) throws IOException {
        mapper.writeTree(gen, item);
        count++;
    }

    @Override
    public void close() throws IOException {
        gen.writeEndArray();
        gen.writeNumberField("count", count);
        gen.writeEndObject();
        gen.writeRaw('\n');
        gen.flush();
    }
}
