package dev.ckptkit.analyzer.diff;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Collects the fields that differ between two versions of one thing. */
final class Fields {
    private final List<Change.FieldChange> out = new ArrayList<>();

    Fields cmp(String name, Object a, Object b) {
        if (!Objects.equals(a, b)) out.add(new Change.FieldChange(name, str(a), str(b)));
        return this;
    }

    Fields hex(String name, Long a, Long b) {
        if (!Objects.equals(a, b)) out.add(new Change.FieldChange(name, a == null ? null : "0x" + Long.toHexString(a),
                b == null ? null : "0x" + Long.toHexString(b)));
        return this;
    }

    Fields add(String name, String before, String after) {
        out.add(new Change.FieldChange(name, before, after));
        return this;
    }

    boolean isEmpty() { return out.isEmpty(); }

    List<Change.FieldChange> list() { return List.copyOf(out); }

    private static String str(Object o) {
        if (o == null) return null;
        if (o instanceof List<?> l) return String.join(" ", l.stream().map(String::valueOf).toList());
        return o.toString();
    }
}
