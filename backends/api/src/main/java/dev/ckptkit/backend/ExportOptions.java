package dev.ckptkit.backend;

import java.util.Map;

/** Options of an export; {@code pid} selects one process where a format holds one (ELF cores). */
public record ExportOptions(Integer pid, Map<String, String> extra) {
    public static ExportOptions none() { return new ExportOptions(null, Map.of()); }
}
