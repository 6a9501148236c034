package dev.ckptkit.backend.criu;

/** CRIU's fd_types (images/fdinfo.proto): the type of a file_entry, and the names the common tables use. */
final class FdType {
    static final int REG = 1, PIPE = 2, FIFO = 3, INETSK = 4, UNIXSK = 5, EVENTFD = 6, EVENTPOLL = 7, INOTIFY = 8,
            SIGNALFD = 9, PACKETSK = 10, TTY = 11, FANOTIFY = 12, NETLINKSK = 13, NS = 14, TUNF = 15, EXT = 16,
            TIMERFD = 17, MEMFD = 18, BPFMAP = 19, PIDFD = 20;

    private FdType() {}

    /** The FileRow type of a CRIU file type; regular files are told apart as dir/chr/blk by their mode. */
    static String tableType(int type, Integer mode) {
        return switch (type) {
            case REG -> regType(mode);
            case PIPE -> "pipe";
            case FIFO -> "fifo";
            case INETSK, UNIXSK, PACKETSK, NETLINKSK -> "socket";
            case EVENTFD -> "eventfd";
            case EVENTPOLL -> "eventpoll";
            case SIGNALFD -> "signalfd";
            case INOTIFY -> "inotify";
            case TIMERFD -> "timerfd";
            case MEMFD -> "memfd";
            case TTY -> "tty";
            default -> "other";
        };
    }

    private static String regType(Integer mode) {
        if (mode == null) return "reg";
        return switch (mode & 0170000) {
            case 0040000 -> "dir";
            case 0020000 -> "chr";
            case 0060000 -> "blk";
            default -> "reg";
        };
    }
}
