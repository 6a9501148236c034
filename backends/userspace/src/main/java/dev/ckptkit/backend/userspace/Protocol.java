package dev.ckptkit.backend.userspace;

/** Constants of the stream libckpt.so sends (src/main/c/protocol.h and PROTOCOL.md; both sides must agree). */
final class Protocol {
    private Protocol() {}

    static final int VERSION = 1;
    static final int REQUEST_MAGIC = 0x51524b43;
    static final int REQUEST_KILL = 1;
    /**
     * Tree checkpoints: stop, answer SUSPENDED, dump on GO_DUMP, resume on GO_RESUME (or end on close with KILL).
     * Their page data may be references to the process's memory (vmsplice): read each stream up to END before
     * sending GO_RESUME or closing, or the image may hold pages the process changed after resuming.
     */
    static final int REQUEST_HOLD = 2;
    static final byte GO_DUMP = 'D', GO_RESUME = 'R';
    /** The answer to a SUSPENDED whose page pipe the requester opened: page data comes as PAGE_BLOCK frames. */
    static final byte GO_DUMP_PIPED = 'P';

    static final int FRAME_HEADER = 16;
    static final int HELLO = 1, CMDLINE = 2, ENVIRON = 3, CWD = 4, EXE = 5, RLIMITS = 6, SIGACTIONS = 7, THREAD = 8,
            FD = 9, AREA = 10, PAGES = 11, END = 12, ERROR = 13,
            /* since CKPT 1.2: tracer pid, and mtime of open and mapped files (older streams do not send them) */
            STATUS = 14, MTIMES = 15,
            /* process trees */
            SUSPENDED = 16, PIPE_DATA = 17, UNIX_SOCK = 18,
            /* piped dumps: runs of pages whose bytes are in the page pipe */
            PAGE_BLOCK = 19;

    static final int HELLO_SIZE = 96, THREAD_SIZE = 272, FD_SIZE = 64, AREA_SIZE = 48, PAGES_SIZE = 16,
            RLIMIT_SIZE = 24, SIGACTION_SIZE = 40, END_SIZE = 8, STATUS_SIZE = 8, MTIME_SIZE = 24,
            SUSPENDED_SIZE = 8, PIPE_DATA_SIZE = 16, UNIX_SOCK_SIZE = 32,
            /* a SUSPENDED that offers page pipes: {pid, real_pid, two pipe fds or -1, pages each holds, pad} */
            SUSPENDED_PIPES_SIZE = 24, PAGE_BLOCK_SIZE = 16;

    static final int MTIME_FD = 0, MTIME_AREA = 1;
    /** ckpt_unix_sock.flags: the receive queue is in the frame (records {u32 length, bytes}) */
    static final int UNIX_QUEUE_SAVED = 1;

    /** Largest frame the library sends: a run of 256 pages; everything else is far smaller. */
    static final long MAX_FRAME = PAGES_SIZE + 256L * 4096;

    static final int FD_REG = 0, FD_DIR = 1, FD_PIPE = 2, FD_FIFO = 3, FD_SOCKET = 4, FD_CHR = 5, FD_BLK = 6;

    static final String[] RLIMIT_NAMES = {"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
            "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
            "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME"};

    static String rlimitName(int r) { return r >= 0 && r < RLIMIT_NAMES.length ? RLIMIT_NAMES[r] : "RLIMIT_" + r; }

    static int rlimitNumber(String name) {
        for (int i = 0; i < RLIMIT_NAMES.length; i++) if (RLIMIT_NAMES[i].equals(name)) return i;
        return -1;
    }

    /** Name of the native record with what only this backend's restart needs (tid addresses, brk). */
    static String glueRecord(int pid) { return "userspace/glue-" + pid + ".properties"; }

    static final String HOOKS_RECORD = "userspace/hooks.txt";
}
