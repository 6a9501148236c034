package dev.ckptkit.backend.criu;

import java.util.HashMap;
import java.util.Map;

/**
 * The CRIU image types: magic number (criu/include/magic.h, the names crit prints) and how each entry's trailing
 * payload is sized. Files without one of these magics (pages-N.img, tarballs, raw iptables dumps, files of a newer
 * CRIU) are kept as opaque bytes.
 */
public enum ImageKind {
    INVENTORY(0x58313116, Payload.PLAIN),
    PSTREE(0x50273030, Payload.PLAIN),
    FDINFO(0x56213732, Payload.PLAIN),
    PAGEMAP(0x56084025, Payload.PAGEMAP),
    CORE(0x55053847, Payload.PLAIN),
    IDS(0x54432030, Payload.PLAIN),
    VMAS(0x54123737, Payload.PLAIN),
    PIPES(0x56513555, Payload.PLAIN),
    PIPES_DATA(0x56453709, Payload.PIPE_DATA),
    FIFO(0x58364939, Payload.PLAIN),
    FIFO_DATA(0x59333054, Payload.PIPE_DATA),
    SIGACT(0x55344201, Payload.PLAIN),
    UNIXSK(0x54373943, Payload.PLAIN),
    INETSK(0x56443851, Payload.PLAIN),
    PACKETSK(0x60454618, Payload.PLAIN),
    ITIMERS(0x57464056, Payload.PLAIN),
    POSIX_TIMERS(0x52603957, Payload.PLAIN),
    SK_QUEUES(0x56264026, Payload.SK_QUEUE),
    UTSNS(0x54473203, Payload.PLAIN),
    CREDS(0x54023547, Payload.PLAIN),
    IPC_VAR(0x53115007, Payload.PLAIN),
    IPCNS_SHM(0x46283044, Payload.IPC_SHM),
    IPCNS_MSG(0x55453737, Payload.IPC_MSG),
    IPCNS_SEM(0x59573019, Payload.IPC_SEM),
    REG_FILES(0x50363636, Payload.PLAIN),
    EXT_FILES(0x59255641, Payload.PLAIN),
    FS(0x51403912, Payload.PLAIN),
    MM(0x57492820, Payload.PLAIN),
    REMAP_FPATH(0x59133954, Payload.PLAIN),
    GHOST_FILE(0x52583605, Payload.GHOST_FILE),
    TCP_STREAM(0x51465506, Payload.TCP_STREAM),
    EVENTFD_FILE(0x44523722, Payload.PLAIN),
    EVENTPOLL_FILE(0x45023858, Payload.PLAIN),
    EVENTPOLL_TFD(0x44433746, Payload.PLAIN),
    SIGNALFD(0x57323820, Payload.PLAIN),
    INOTIFY_FILE(0x48424431, Payload.PLAIN),
    INOTIFY_WD(0x54562009, Payload.PLAIN),
    MNTS(0x55563928, Payload.PLAIN),
    NETDEV(0x57373951, Payload.PLAIN),
    NETNS(0x55933752, Payload.PLAIN),
    TTY_FILES(0x59433025, Payload.PLAIN),
    TTY_INFO(0x59453036, Payload.PLAIN),
    TTY_DATA(0x59413026, Payload.PLAIN),
    FILE_LOCKS(0x54323616, Payload.PLAIN),
    RLIMIT(0x57113925, Payload.PLAIN),
    FANOTIFY_FILE(0x55096122, Payload.PLAIN),
    FANOTIFY_MARK(0x56506035, Payload.PLAIN),
    SIGNAL(0x59255647, Payload.PLAIN),
    NETLINK_SK(0x58005614, Payload.PLAIN),
    NS_FILES(0x61394011, Payload.PLAIN),
    TUNFILE(0x57143751, Payload.PLAIN),
    CGROUP(0x59383330, Payload.PLAIN),
    TIMERFD(0x50493712, Payload.PLAIN),
    CPUINFO(0x61404013, Payload.PLAIN),
    USERNS(0x55474906, Payload.PLAIN),
    SECCOMP(0x64413049, Payload.PLAIN),
    BINFMT_MISC(0x67343323, Payload.PLAIN),
    AUTOFS(0x49353943, Payload.PLAIN),
    FILES(0x56303138, Payload.PLAIN),
    MEMFD_INODE(0x48453499, Payload.PLAIN),
    TIMENS(0x43114433, Payload.PLAIN),
    PIDNS(0x61157326, Payload.PLAIN),
    BPFMAP_FILE(0x57506142, Payload.PLAIN),
    BPFMAP_DATA(0x64324033, Payload.BPFMAP_DATA),
    APPARMOR(0x59423047, Payload.PLAIN),
    PIDFD(0x54435556, Payload.PLAIN),
    STATS(0x57093306, Payload.PLAIN),
    IRMAP_CACHE(0x57004059, Payload.PLAIN),
    KDAT(0x57023458, Payload.PLAIN);

    /** First magic of every image but the inventory (image format v1.1). */
    public static final int IMG_COMMON = 0x54564319;
    /** First magic of auxiliary images (stats-dump, irmap-cache). */
    public static final int IMG_SERVICE = 0x55105940;

    /** What follows an entry's protobuf payload (the "extra" of crit). */
    public enum Payload {
        /** nothing */
        PLAIN,
        /** pipe_data_entry.bytes of buffered pipe data */
        PIPE_DATA,
        /** sk_packet_entry.length of queued socket data */
        SK_QUEUE,
        /** tcp_stream_entry inq_len + outq_len */
        TCP_STREAM,
        /** bpfmap_data_entry keys_bytes + values_bytes */
        BPFMAP_DATA,
        /** the shm segment, padded to 4 bytes, unless it went to pagemaps */
        IPC_SHM,
        /** nsems u16 semaphore values, padded to 8 bytes */
        IPC_SEM,
        /** qnum messages: size-prefixed ipc_msg then msize bytes padded to 8 */
        IPC_MSG,
        /** the first entry is the ghost_file_entry; then the content, or chunk entries each followed by data */
        GHOST_FILE,
        /** the first entry is a pagemap_head, the others pagemap_entry */
        PAGEMAP
    }

    private static final Map<Integer, ImageKind> BY_MAGIC = new HashMap<>();

    static {
        for (ImageKind k : values()) BY_MAGIC.put(k.magic, k);
    }

    private final int magic;
    private final Payload payload;

    ImageKind(int magic, Payload payload) {
        this.magic = magic;
        this.payload = payload;
    }

    public int magic() { return magic; }

    public Payload payload() { return payload; }

    /** The kind with this (second) magic, or null. */
    public static ImageKind byMagic(int magic) {
        return BY_MAGIC.get(magic);
    }
}
