package dev.ckptkit.io.table;

import dev.ckptkit.io.CorruptImageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.SeekableReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;

/**
 * Maps a record type to an Arrow table, one column per record component, named in snake_case.
 * Decoding matches columns by name: columns a later version adds are ignored, columns it lacks read as null
 * (or 0/false for primitives), which is what lets a v1.x reader read a v1.y file.
 */
public final class TableCodec<T extends Record> {
    private static final int BATCH_ROWS = 65_536;

    enum ColumnType { INT32, INT64, BOOL, UTF8, BINARY, UTF8_LIST, INT64_LIST }

    /** One column: its name, Arrow type, doc, and how to get it out of a row. */
    public record Column(String name, ColumnType type, boolean nullable, String doc, MethodHandle getter) {
        public String arrowType() {
            return switch (type) {
                case INT32 -> "int32";
                case INT64 -> "int64";
                case BOOL -> "bool";
                case UTF8 -> "utf8";
                case BINARY -> "binary";
                case UTF8_LIST -> "list<utf8>";
                case INT64_LIST -> "list<int64>";
            };
        }
    }

    private final String name;
    private final Class<T> type;
    private final List<Column> columns;
    private final Constructor<T> constructor;
    private final Schema schema;

    private TableCodec(String name, Class<T> type) {
        this.name = name;
        this.type = type;
        RecordComponent[] comps = type.getRecordComponents();
        List<Column> cols = new ArrayList<>();
        Class<?>[] ctorTypes = new Class<?>[comps.length];
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        for (int i = 0; i < comps.length; i++) {
            RecordComponent c = comps[i];
            ctorTypes[i] = c.getType();
            Doc doc = c.getAnnotation(Doc.class);
            try {
                cols.add(new Column(snake(c.getName()), typeOf(c), !c.getType().isPrimitive(),
                        doc == null ? "" : doc.value(), lookup.unreflect(c.getAccessor())));
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException(type + " is not public", e);
            }
        }
        this.columns = List.copyOf(cols);
        try {
            this.constructor = type.getDeclaredConstructor(ctorTypes);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(type + " has no canonical constructor", e);
        }
        List<Field> fields = new ArrayList<>();
        for (Column c : columns) fields.add(field(c));
        this.schema = new Schema(fields, Map.of("ckpt.table", name));
    }

    public static <T extends Record> TableCodec<T> of(String name, Class<T> type) {
        return new TableCodec<>(name, type);
    }

    public String name() { return name; }

    public Class<T> type() { return type; }

    public List<Column> columns() { return columns; }

    public Schema schema() { return schema; }

    public String doc() {
        Doc d = type.getAnnotation(Doc.class);
        return d == null ? "" : d.value();
    }

    /** Encodes rows as an Arrow IPC file (the "file" format, so readers can seek to its footer). */
    public byte[] encode(List<T> rows, BufferAllocator allocator) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             ArrowFileWriter writer = new ArrowFileWriter(root, null, Channels.newChannel(out))) {
            writer.start();
            int from = 0;
            do {  // an empty table still gets one (empty) batch
                int to = Math.min(rows.size(), from + BATCH_ROWS);
                root.allocateNew();
                for (int i = from; i < to; i++) setRow(root, i - from, rows.get(i));
                root.setRowCount(to - from);
                writer.writeBatch();
                from = to;
            } while (from < rows.size());
            writer.end();
        }
        return out.toByteArray();
    }

    /** Decodes an Arrow IPC file; any malformation is reported as corruption of {@code resource} at {@code offset}. */
    public List<T> decode(byte[] ipc, BufferAllocator allocator, String resource, long offset) throws CorruptImageException {
        List<T> rows = new ArrayList<>();
        // a child allocator per decode: Arrow can strand buffers when hostile input fails half-way, and those must
        // not make the reader's own allocator fail when it closes
        BufferAllocator child = allocator.newChildAllocator("decode-" + name, 0, allocator.getLimit());
        try (ArrowFileReader reader = new ArrowFileReader(
                new SeekableReadChannel(new ByteArrayReadableSeekableByteChannel(ipc)), child)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            FieldVector[] vectors = new FieldVector[columns.size()];
            for (int c = 0; c < columns.size(); c++) {
                Column col = columns.get(c);
                FieldVector v = root.getVector(col.name());
                if (v != null && !compatible(v, col)) {
                    throw new CorruptImageException(resource, offset, "table '" + name + "' column '" + col.name()
                            + "' has type " + v.getField().getType() + ", expected " + col.arrowType());
                }
                vectors[c] = v;
            }
            for (ArrowBlock block : reader.getRecordBlocks()) {
                if (!reader.loadRecordBatch(block)) break;
                int n = root.getRowCount();
                // every real row costs at least a bit of some buffer: a larger count is a lie that would make us
                // build billions of rows from nothing
                if (n < 0 || n > 8L * ipc.length || rows.size() + (long) n > 8L * ipc.length) {
                    throw new CorruptImageException(resource, offset, "table '" + name + "' claims " + n
                            + " rows in " + ipc.length + " bytes");
                }
                for (int i = 0; i < n; i++) rows.add(getRow(vectors, i));
            }
        } catch (CorruptImageException e) {
            throw e;
        } catch (IOException | RuntimeException | AssertionError e) {
            // Arrow's own asserts fire (when enabled) on malformed flatbuffers: input damage, not a bug of ours
            throw new CorruptImageException(resource, offset, "table '" + name + "' is not a valid Arrow IPC file: " + e, e);
        } finally {
            closeQuietly(child);
        }
        return rows;
    }

    /** Closes an allocator; buffers stranded by a failed decode are reported as corruption already, not again here. */
    public static void closeQuietly(BufferAllocator a) {
        try {
            a.close();
        } catch (IllegalStateException leaked) {
            // "Memory was leaked": only after corrupt input, which the caller has been told about
        }
    }

    private static boolean compatible(FieldVector v, Column col) {
        return switch (col.type()) {
            case INT32 -> v instanceof IntVector;
            case INT64 -> v instanceof BigIntVector;
            case BOOL -> v instanceof BitVector;
            case UTF8 -> v instanceof VarCharVector;
            case BINARY -> v instanceof VarBinaryVector;
            case UTF8_LIST -> v instanceof ListVector l && l.getDataVector() instanceof VarCharVector;
            case INT64_LIST -> v instanceof ListVector l && l.getDataVector() instanceof BigIntVector;
        };
    }

    private void setRow(VectorSchemaRoot root, int i, T row) {
        for (int c = 0; c < columns.size(); c++) {
            Column col = columns.get(c);
            Object value;
            try {
                value = col.getter().invoke(row);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            FieldVector v = root.getVector(c);
            if (value == null) {
                v.setNull(i);
                continue;
            }
            switch (col.type()) {
                case INT32 -> ((IntVector) v).setSafe(i, (Integer) value);
                case INT64 -> ((BigIntVector) v).setSafe(i, (Long) value);
                case BOOL -> ((BitVector) v).setSafe(i, (Boolean) value ? 1 : 0);
                case UTF8 -> ((VarCharVector) v).setSafe(i, ((String) value).getBytes(StandardCharsets.UTF_8));
                case BINARY -> ((VarBinaryVector) v).setSafe(i, (byte[]) value);
                case UTF8_LIST -> {
                    ListVector lv = (ListVector) v;
                    VarCharVector data = (VarCharVector) lv.getDataVector();
                    int start = lv.startNewValue(i);
                    List<?> items = (List<?>) value;
                    for (int k = 0; k < items.size(); k++) {
                        data.setSafe(start + k, ((String) items.get(k)).getBytes(StandardCharsets.UTF_8));
                    }
                    lv.endValue(i, items.size());
                }
                case INT64_LIST -> {
                    ListVector lv = (ListVector) v;
                    BigIntVector data = (BigIntVector) lv.getDataVector();
                    int start = lv.startNewValue(i);
                    List<?> items = (List<?>) value;
                    for (int k = 0; k < items.size(); k++) data.setSafe(start + k, (Long) items.get(k));
                    lv.endValue(i, items.size());
                }
            }
        }
    }

    private T getRow(FieldVector[] vectors, int i) {
        Object[] args = new Object[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            Column col = columns.get(c);
            FieldVector v = vectors[c];
            Object value = (v == null || v.isNull(i)) ? null : switch (col.type()) {
                case INT32 -> ((IntVector) v).get(i);
                case INT64 -> ((BigIntVector) v).get(i);
                case BOOL -> ((BitVector) v).get(i) != 0;
                case UTF8 -> new String(bytes((VarCharVector) v, i), StandardCharsets.UTF_8);
                case BINARY -> bytes((VarBinaryVector) v, i);
                case UTF8_LIST, INT64_LIST -> listValue((ListVector) v, i, col.type());
            };
            if (value == null && !col.nullable()) value = defaultOf(col.type());
            args[c] = value;
        }
        try {
            return constructor.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A variable-width value, its offsets checked first: hostile offsets must not size a Java array. */
    private static byte[] bytes(org.apache.arrow.vector.BaseVariableWidthVector v, int i) {
        long start = v.getStartOffset(i), len = v.getValueLength(i);
        if (start < 0 || len < 0 || start + len > v.getDataBuffer().capacity()) {
            throw new IllegalStateException("value " + i + " of column '" + v.getName() + "' lies outside its buffer");
        }
        return v.get(i);
    }

    private static List<Object> listValue(ListVector lv, int i, ColumnType type) {
        int start = lv.getElementStartIndex(i), end = lv.getElementEndIndex(i);
        if (start < 0 || end < start || end > lv.getDataVector().getValueCount()) {
            throw new IllegalStateException("list " + i + " of column '" + lv.getName() + "' has offsets " + start + ".." + end
                    + " outside its " + lv.getDataVector().getValueCount() + " values");
        }
        List<Object> out = new ArrayList<>(end - start);
        for (int k = start; k < end; k++) {
            if (type == ColumnType.UTF8_LIST) {
                out.add(new String(bytes((VarCharVector) lv.getDataVector(), k), StandardCharsets.UTF_8));
            } else {
                out.add(((BigIntVector) lv.getDataVector()).get(k));
            }
        }
        return List.copyOf(out);
    }

    private static Object defaultOf(ColumnType t) {
        return switch (t) {
            case INT32 -> 0;
            case INT64 -> 0L;
            case BOOL -> false;
            default -> null;
        };
    }

    private static Field field(Column c) {
        Map<String, String> meta = c.doc().isEmpty() ? null : Map.of("doc", c.doc());
        return switch (c.type()) {
            case INT32 -> new Field(c.name(), new FieldType(c.nullable(), new ArrowType.Int(32, true), null, meta), null);
            case INT64 -> new Field(c.name(), new FieldType(c.nullable(), new ArrowType.Int(64, true), null, meta), null);
            case BOOL -> new Field(c.name(), new FieldType(c.nullable(), ArrowType.Bool.INSTANCE, null, meta), null);
            case UTF8 -> new Field(c.name(), new FieldType(c.nullable(), ArrowType.Utf8.INSTANCE, null, meta), null);
            case BINARY -> new Field(c.name(), new FieldType(c.nullable(), ArrowType.Binary.INSTANCE, null, meta), null);
            case UTF8_LIST, INT64_LIST -> new Field(c.name(), new FieldType(c.nullable(), ArrowType.List.INSTANCE, null, meta),
                    List.of(new Field("item", new FieldType(false,
                            c.type() == ColumnType.UTF8_LIST ? ArrowType.Utf8.INSTANCE : new ArrowType.Int(64, true),
                            null), null)));
        };
    }

    private static ColumnType typeOf(RecordComponent c) {
        Class<?> t = c.getType();
        if (t == int.class || t == Integer.class) return ColumnType.INT32;
        if (t == long.class || t == Long.class) return ColumnType.INT64;
        if (t == boolean.class || t == Boolean.class) return ColumnType.BOOL;
        if (t == String.class) return ColumnType.UTF8;
        if (t == byte[].class) return ColumnType.BINARY;
        if (t == List.class) {
            Type arg = ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0];
            if (arg == String.class) return ColumnType.UTF8_LIST;
            if (arg == Long.class) return ColumnType.INT64_LIST;
        }
        throw new IllegalArgumentException("unsupported column type " + c.getGenericType() + " of " + c);
    }

    private static String snake(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) sb.append('_').append(Character.toLowerCase(ch));
            else sb.append(ch);
        }
        return sb.toString();
    }
}
