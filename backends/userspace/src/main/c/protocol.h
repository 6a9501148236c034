/*
 * The stream libckpt.so sends to the ckpt process, and the request it answers (see PROTOCOL.md).
 * Little-endian x86_64 only; every payload is a fixed struct, optionally followed by variable bytes.
 */
#ifndef CKPT_PROTOCOL_H
#define CKPT_PROTOCOL_H
#include <stdint.h>

#define CKPT_PROTOCOL_VERSION 1
/* ckpt-loader is linked here and stays mapped in a restarted process; libckpt.so leaves this window out of images */
#define CKPT_LOADER_BASE 0x200000000000ULL
#define CKPT_LOADER_END 0x200100000000ULL
/* After a restart, a page shared by every process of the restored tree (MAP_SHARED, made by the loader before it
 * forks, inside the loader window so images never carry it): each process's original pid and its pid now. */
#define CKPT_PIDMAP_ADDR 0x2000f0000000ULL
#define CKPT_PIDMAP_MAX 256
struct ckpt_pidmap {
    char magic[8];                   /* "CKPTPIDS" */
    uint32_t n;
    uint32_t back;                   /* loaders done restoring: none resumes its program before all are (futex word) */
    struct { int32_t pid; int32_t real; } e[CKPT_PIDMAP_MAX];   /* real 0: that process is not back yet */
    uint32_t failed;                 /* a loader of the tree failed: the others give up too */
};
#define CKPT_REQUEST_MAGIC 0x51524b43u /* "CKRQ" */
#define CKPT_REQUEST_KILL 1u
/* tree checkpoints: stop, answer SUSPENDED, wait for CKPT_GO_DUMP; after END wait for CKPT_GO_RESUME (or EOF).
 * The page data of such a dump may reach the socket as references to the process's memory (vmsplice): the
 * requester must read the stream up to END before it sends CKPT_GO_RESUME or closes. */
#define CKPT_REQUEST_HOLD 2u
#define CKPT_GO_DUMP 'D'
/* answer to a SUSPENDED that offered a page pipe the requester could open: page data comes as PAGE_BLOCK frames
 * whose bytes are in the pipe (see struct ckpt_page_block) */
#define CKPT_GO_DUMP_PIPED 'P'
#define CKPT_GO_RESUME 'R'

struct ckpt_request { uint32_t magic; uint32_t flags; uint64_t reserved; };

struct ckpt_frame { uint32_t type; uint32_t reserved; uint64_t length; };

enum ckpt_frame_type {
    CKPT_F_HELLO = 1, CKPT_F_CMDLINE = 2, CKPT_F_ENVIRON = 3, CKPT_F_CWD = 4, CKPT_F_EXE = 5,
    CKPT_F_RLIMITS = 6, CKPT_F_SIGACTIONS = 7, CKPT_F_THREAD = 8, CKPT_F_FD = 9, CKPT_F_AREA = 10,
    CKPT_F_PAGES = 11, CKPT_F_END = 12, CKPT_F_ERROR = 13,
    /* since CKPT 1.2 (older ckpt versions skip frame types they do not know) */
    CKPT_F_STATUS = 14, CKPT_F_MTIMES = 15,
    /* process trees */
    CKPT_F_SUSPENDED = 16, CKPT_F_PIPE_DATA = 17, CKPT_F_UNIX_SOCK = 18,
    /* piped dumps (CKPT_GO_DUMP_PIPED) */
    CKPT_F_PAGE_BLOCK = 19,
};

/* CKPT_F_STATUS: from /proc/self/status at checkpoint time */
struct ckpt_status { int32_t tracer_pid; uint32_t pad; };

/* CKPT_F_MTIMES: an array of these; kind 0: open regular file fd, kind 1: file mapped at area start */
#define CKPT_MTIME_FD 0u
#define CKPT_MTIME_AREA 1u
struct ckpt_mtime { uint32_t kind; int32_t fd; uint64_t start; int64_t mtime_ns; };

/* HOLD requests: every thread but the manager is parked; the pids say which process of the tree this is.
 * page_pipe: the read ends of two pipes of this process (-1: none offered) that the requester may open through
 * /proc/REAL_PID/fd/N and then answer CKPT_GO_DUMP_PIPED; pipe_pages: the pages each holds, the most a block has.
 * (Older libraries send only the first 8 bytes.) */
struct ckpt_suspended { int32_t pid; int32_t real_pid; int32_t page_pipe[2]; uint32_t pipe_pages; uint32_t pad; };

/* A piped dump's page data: nruns struct ckpt_pages follow in the frame; their pages' bytes, in that order, were put
 * in page pipe `pipe` (0 or 1; blocks take turns) before the frame was sent: at most pipe_pages pages, none of them
 * zero. crc32c: the CRC32C (Castagnoli, as the CKPT format's) of those bytes, computed by the process as it put
 * them in. */
struct ckpt_page_block { uint32_t nruns; uint32_t crc32c; uint32_t pipe; uint32_t pad; };

/* follows the FD frame of a pipe end the process can read from; then the bytes buffered in the pipe (copied with
 * tee(2), so the pipe keeps them) */
struct ckpt_pipe_data { uint64_t inode; int32_t fd; uint32_t pad; };

/* follows the FD frame of an AF_UNIX socket: its peer (sock_diag; 0 unknown) and, with flags & 1, its whole receive
 * queue (peeked with SO_PEEK_OFF, so it stays queued): nmsgs records { u32 length, bytes }, one per message (stream
 * sockets: chunks) */
#define CKPT_UNIX_QUEUE_SAVED 1u
struct ckpt_unix_sock { uint64_t inode; uint64_t peer; int32_t fd; uint32_t nmsgs; uint32_t flags; uint32_t pad; };

struct ckpt_hello {
    uint32_t version; int32_t pid; int32_t ppid; int32_t pgid; int32_t sid; int32_t real_pid;
    uint32_t uid, euid, suid, gid, egid, sgid;
    uint32_t nthreads; uint32_t signo;
    uint64_t start_brk; uint64_t brk; uint64_t starttime;
    char comm[16];
    uint64_t restored_addr;  /* the library's "restored" word: ckpt-loader sets it before any thread runs again */
};

struct ckpt_rlimit { uint32_t resource; uint32_t pad; uint64_t cur; uint64_t max; };

struct ckpt_sigaction { uint32_t signo; uint32_t pad; uint64_t handler; uint64_t flags; uint64_t restorer; uint64_t mask; };

#define CKPT_THREAD_MANAGER 1u
#define CKPT_FP_FXSAVE 0u
#define CKPT_FP_XSAVE 1u
/* gp: user_regs_struct order (r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss
 * fs_base gs_base ds es fs gs); followed by fp_size bytes of FXSAVE/XSAVE area. */
struct ckpt_thread {
    int32_t tid; uint32_t flags; uint64_t gp[27]; uint64_t sigmask; uint64_t xstate_bv;
    uint32_t fp_size; uint32_t fp_format; uint64_t tid_addr; char name[16];
};

enum ckpt_fd_type { CKPT_FD_REG = 0, CKPT_FD_DIR = 1, CKPT_FD_PIPE = 2, CKPT_FD_FIFO = 3, CKPT_FD_SOCKET = 4,
    CKPT_FD_CHR = 5, CKPT_FD_BLK = 6, CKPT_FD_OTHER = 7 };
/* followed by the path (readlink of /proc/self/fd/N), not NUL-terminated */
struct ckpt_fd {
    int32_t fd; int32_t flags; int64_t pos; uint32_t type; uint32_t mode; uint64_t inode; uint64_t dev; uint64_t size;
    int32_t cloexec; int32_t sock_domain; int32_t sock_type; int32_t sock_protocol;
};

/* followed by the name column of /proc/self/maps; flags: 1 shared, 2 private, 0x20 anonymous, 0x100 growsdown */
struct ckpt_area { uint64_t start; uint64_t end; uint64_t pgoff; uint32_t prot; uint32_t flags; uint64_t dev; uint64_t inode; };

/* followed by npages * 4096 bytes; only non-zero pages are sent, zero pages are simply absent */
struct ckpt_pages { uint64_t vaddr; uint64_t npages; };

struct ckpt_end { uint32_t status; uint32_t pad; };

#endif
