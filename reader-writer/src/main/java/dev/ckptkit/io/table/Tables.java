package dev.ckptkit.io.table;

import java.util.List;

/** The common tables of CKPT v1 (SPEC.md, "Tables"). */
public final class Tables {
    private Tables() {}

    public static final TableCodec<ProcessRow> PROCESSES = TableCodec.of("processes", ProcessRow.class);
    public static final TableCodec<ThreadRow> THREADS = TableCodec.of("threads", ThreadRow.class);
    public static final TableCodec<MemoryAreaRow> MEMORY_AREAS = TableCodec.of("memory_areas", MemoryAreaRow.class);
    public static final TableCodec<FileRow> FILES = TableCodec.of("files", FileRow.class);
    public static final TableCodec<FdRow> FDS = TableCodec.of("fds", FdRow.class);
    public static final TableCodec<PipeRow> PIPES = TableCodec.of("pipes", PipeRow.class);
    public static final TableCodec<SocketRow> SOCKETS = TableCodec.of("sockets", SocketRow.class);
    public static final TableCodec<MountRow> MOUNTS = TableCodec.of("mounts", MountRow.class);
    public static final TableCodec<NamespaceRow> NAMESPACES = TableCodec.of("namespaces", NamespaceRow.class);
    public static final TableCodec<SignalRow> SIGNALS = TableCodec.of("signals", SignalRow.class);
    public static final TableCodec<TimerRow> TIMERS = TableCodec.of("timers", TimerRow.class);
    public static final TableCodec<RlimitRow> RLIMITS = TableCodec.of("rlimits", RlimitRow.class);
    /** Not stored as a table: the exported view of the page index. */
    public static final TableCodec<PageRow> PAGES = TableCodec.of("pages", PageRow.class);

    /** The tables stored as TABLE sections, in the order writers emit them. */
    public static final List<TableCodec<?>> STORED = List.of(PROCESSES, THREADS, MEMORY_AREAS, FILES, FDS, PIPES,
            SOCKETS, MOUNTS, NAMESPACES, SIGNALS, TIMERS, RLIMITS);

    public static TableCodec<?> byName(String name) {
        for (TableCodec<?> t : STORED) if (t.name().equals(name)) return t;
        return name.equals(PAGES.name()) ? PAGES : null;
    }
}
