package dev.ckptkit.analyzer.diff;

import java.util.List;

/**
 * One structural difference between two images: something added, removed, moved or changed, with the fields that
 * differ. {@code subject} names the thing the way the other commands print it (e.g. "pid 42 fd 3").
 */
public record Change(Category category, Kind kind, String subject, List<FieldChange> fields) {
    public enum Category { IMAGE, PROCESS, THREAD, AREA, FD, SOCKET, MOUNT }

    public enum Kind { ADDED, REMOVED, CHANGED, MOVED }

    /** A field that differs; null stands for "not there" (an env variable only one side has). */
    public record FieldChange(String field, String before, String after) {}

    static Change added(Category c, String subject) { return new Change(c, Kind.ADDED, subject, List.of()); }

    static Change removed(Category c, String subject) { return new Change(c, Kind.REMOVED, subject, List.of()); }
}
