/*
 * libckpt.so: checkpoints the process it is preloaded into (ckptkit userspace backend, DMTCP style).
 *
 * A manager thread listens on DIR/ckpt-PID.sock (DIR = $CKPT_SOCKET_DIR or /tmp). On a request it runs the
 * pre-checkpoint callbacks, stops every other thread with the checkpoint signal (each one records its registers
 * from the signal's ucontext and parks in the handler), then signals itself: the manager's own handler streams the
 * whole process state (PROTOCOL.md) to the requester, so the manager's saved registers are those of a thread that
 * is about to find out whether it is the original (resume the others) or a restarted copy (the loader brought
 * every thread back through rt_sigreturn; re-listen and run the post-restart callbacks).
 *
 * Nothing on the checkpoint path calls malloc or stdio: a parked thread may hold their locks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#ifdef __x86_64__
#include <nmmintrin.h>
#endif
#include <unistd.h>
#include <asm/prctl.h>

#include "ckpt.h"
#include "protocol.h"

#define PAGE 4096UL
#define MAX_THREADS 1024
#define MAX_CALLBACKS 64
#define FP_MAX 16384
#define CHUNK_PAGES 256
/* a piped dump's blocks are at least this large, or the image's per-block framing would cost too much */
#define MIN_BLOCK_PAGES 64
#define MAPS_MAX (4UL << 20)
#define STREAM_FD_LIMIT 64

struct saved_thread { struct ckpt_thread t; uint8_t fp[FP_MAX] __attribute__((aligned(64))); };
struct callback { ckpt_callback fn; void *arg; };

/* process-wide state of the library: one instance per process by nature (it mirrors the process) */
static struct {
    int signo;
    pid_t virt_pid, virt_ppid;       /* what getpid()/getppid() answer: the pids of the first incarnation */
    pid_t real_pid;                  /* what the kernel says now */
    unsigned long long starttime;    /* /proc/self/stat field 22, tells a restarted copy from the original */
    int generation;
    int restored;                    /* set by ckpt-loader before any thread of a restored copy runs */
    pid_t manager_tid;
    int listen_fd, conn_fd;
    int conn_is_socket;
    int dump_signo;                  /* writes the stream to a file instead of a socket */
    int wake[2];                     /* the dump signal's handler wakes the manager through this pipe */
    int tee[2];                      /* during a dump: receives copies of buffered pipe data (tee(2)) */
    int pipe[2][2];                  /* during a held dump: page pipes, [i][0] read end, [i][1] write end. Pipe 0
                                      * carries page references to the socket (vmsplice); a piped dump puts its
                                      * blocks in both by turns, so it fills one while the requester drains the
                                      * other (one pipe's lock would make them take turns) */
    int splice_area;                 /* the area being sent holds nothing the dump itself writes */
    int piped;                       /* the requester reads page data from the pipes itself (GO_DUMP_PIPED) */
    uint32_t pipe_pages;             /* pages either pipe holds: the most a PAGE_BLOCK may have */
    struct ckpt_page_block blk;      /* the block being put in pipe blk.pipe: its runs so far */
    struct ckpt_pages blk_runs[CHUNK_PAGES];
    uint32_t blk_pages;
    /* per pipe, the runs of its last block that went in by reference and a Fletcher sum of their bytes: checked
     * again once the requester has spliced them out (recheck_pipe), so a page written meanwhile fails the dump
     * instead of leaving a block whose bytes disagree with its checksum */
    struct ckpt_pages ref_runs[2][CHUNK_PAGES];
    uint32_t ref_nruns[2];
    uint64_t ref_sum[2][2];
    int diag;                        /* during a dump: NETLINK_SOCK_DIAG, asks for unix sockets' peers */
    uint32_t request_flags;
    char sock_path[108];
    struct saved_thread *threads;    /* mmap'ed before any checkpoint */
    int nthreads;
    int signalled;
    int parked;                      /* futex word */
    int resume_gen;                  /* futex word */
    uint8_t *buf;                    /* CHUNK_PAGES pages */
    char *maps;                      /* MAPS_MAX bytes */
    int dump_status;
    struct callback pre[MAX_CALLBACKS], post[MAX_CALLBACKS], resume[MAX_CALLBACKS];
    int npre, npost, nresume;
    pthread_mutex_t cb_lock;
    char *pathmap;                   /* OLD\0NEW\0... written by the loader, read after restart */
    size_t pathmap_len;
    volatile struct ckpt_pidmap *pidmap;  /* the restored tree's pids (protocol.h), or NULL */
} S = { .listen_fd = -1, .conn_fd = -1, .wake = {-1, -1}, .tee = {-1, -1}, .pipe = {{-1, -1}, {-1, -1}}, .diag = -1, .cb_lock = PTHREAD_MUTEX_INITIALIZER };

static long raw_gettid(void) { return syscall(SYS_gettid); }
/* A restarted copy: from the loader's mark on, since the program's threads run again before the manager thread has
 * done after_restart() (the wrappers must answer with the original pids from their first call). */
static int restarted(void) { return S.generation > 0 || __atomic_load_n(&S.restored, __ATOMIC_ACQUIRE); }
static pid_t raw_getpid(void) { return (pid_t) syscall(SYS_getpid); }
static pid_t raw_getppid(void) { return (pid_t) syscall(SYS_getppid); }
/* the library's own look-ups go straight to the kernel: the wrappers of these calls (path mapping) are the program's */
static ssize_t raw_readlink(const char *path, char *buf, size_t n) { return syscall(SYS_readlinkat, AT_FDCWD, path, buf, n); }
static int raw_stat(const char *path, struct stat *st) { return (int) syscall(SYS_newfstatat, AT_FDCWD, path, st, 0); }

static void futex_wait(int *addr, int val, long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    syscall(SYS_futex, addr, FUTEX_WAIT, val, ms >= 0 ? &ts : NULL, NULL, 0);
}
static void futex_wake(int *addr) { syscall(SYS_futex, addr, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0); }

static void log_msg(const char *fmt, ...) {
    if (!getenv("CKPT_DEBUG")) return;
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    if (n > 0) (void) !write(2, b, n < (int) sizeof b ? (size_t) n : sizeof b - 1);
}

static ssize_t read_file(const char *path, char *dst, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(fd, dst + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t) r;
    }
    close(fd);
    return (ssize_t) n;
}

static unsigned long long read_starttime(void) {
    char b[1024];
    ssize_t n = read_file("/proc/self/stat", b, sizeof b - 1);
    if (n <= 0) return 0;
    b[n] = 0;
    char *p = strrchr(b, ')');
    if (!p) return 0;
    /* fields after ')' start at 3 (state); starttime is field 22 */
    int field = 2;
    for (; *p; p++) {
        if (*p == ' ') {
            field++;
            if (field == 22) return strtoull(p + 1, NULL, 10);
        }
    }
    return 0;
}

static void read_brk_fields(uint64_t *start_brk) {
    char b[1024];
    ssize_t n = read_file("/proc/self/stat", b, sizeof b - 1);
    *start_brk = 0;
    if (n <= 0) return;
    b[n] = 0;
    char *p = strrchr(b, ')');
    int field = 2;
    for (; p && *p; p++) {
        if (*p == ' ') {
            field++;
            if (field == 47) { *start_brk = strtoull(p + 1, NULL, 10); return; }
        }
    }
}

/* ---------- stream output ---------- */

static int send_all(const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = S.conn_is_socket ? send(S.conn_fd, c, n, MSG_NOSIGNAL) : write(S.conn_fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        c += w;
        n -= (size_t) w;
    }
    return 0;
}

static int send_frame2(uint32_t type, const void *a, size_t alen, const void *b, size_t blen) {
    struct ckpt_frame f = { type, 0, alen + blen };
    if (S.dump_status) return -1;
    if (send_all(&f, sizeof f) || (alen && send_all(a, alen)) || (blen && send_all(b, blen))) {
        S.dump_status = -1;
        return -1;
    }
    return 0;
}

static int send_frame(uint32_t type, const void *a, size_t alen) { return send_frame2(type, a, alen, NULL, 0); }

/* ---------- per-thread capture ---------- */

static void save_thread(struct saved_thread *st, ucontext_t *uc, uint32_t flags) {
    greg_t *g = uc->uc_mcontext.gregs;
    struct ckpt_thread *t = &st->t;
    memset(t, 0, sizeof *t);
    t->tid = (int32_t) raw_gettid();
    t->flags = flags;
    uint64_t csgsfs = (uint64_t) g[REG_CSGSFS];
    uint64_t fsbase = 0;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &fsbase);
    uint64_t gp[27] = {
        g[REG_R15], g[REG_R14], g[REG_R13], g[REG_R12], g[REG_RBP], g[REG_RBX], g[REG_R11], g[REG_R10],
        g[REG_R9], g[REG_R8], g[REG_RAX], g[REG_RCX], g[REG_RDX], g[REG_RSI], g[REG_RDI], (uint64_t) -1,
        g[REG_RIP], csgsfs & 0xffff, g[REG_EFL], g[REG_RSP], (csgsfs >> 48) & 0xffff, fsbase, 0, 0, 0,
        (csgsfs >> 32) & 0xffff, (csgsfs >> 16) & 0xffff };
    memcpy(t->gp, gp, sizeof gp);
    memcpy(&t->sigmask, &uc->uc_sigmask, sizeof t->sigmask);
    const uint8_t *fp = (const uint8_t *) uc->uc_mcontext.fpregs;
    if (fp) {
        uint32_t magic1, xsize;
        memcpy(&magic1, fp + 464, 4);
        memcpy(&xsize, fp + 464 + 16, 4);
        if (magic1 == 0x46505853u && xsize >= 576 && xsize <= FP_MAX) {
            t->fp_format = CKPT_FP_XSAVE;
            t->fp_size = xsize;
            memcpy(&t->xstate_bv, fp + 512, 8);
        } else {
            t->fp_format = CKPT_FP_FXSAVE;
            t->fp_size = 512;
        }
        memcpy(st->fp, fp, t->fp_size);
    }
    /* glibc keeps the kernel tid in struct pthread (at the thread pointer); find it so the loader can put the new
     * tid there (pthread_join/pthread_kill use it). The tcb header before it holds pointers, never a small int. */
    const int32_t *pd = (const int32_t *) (uintptr_t) fsbase;
    for (int i = 0x100 / 4; pd && i < 0x800 / 4; i++) {
        if (pd[i] == t->tid) { t->tid_addr = (uint64_t) (uintptr_t) &pd[i]; break; }
    }
    prctl(PR_GET_NAME, t->name);
}

/* ---------- the dump (runs in the manager's signal handler) ---------- */

static void send_proc_file(uint32_t type, const char *path) {
    ssize_t n = read_file(path, S.maps, MAPS_MAX);
    send_frame(type, S.maps, n > 0 ? (size_t) n : 0);
}

static void send_environ(void) {
    extern char **environ;
    size_t n = 0;
    for (char **e = environ; e && *e && n < MAPS_MAX; e++) {
        size_t l = strlen(*e) + 1;
        if (n + l > MAPS_MAX) break;
        memcpy(S.maps + n, *e, l);
        n += l;
    }
    send_frame(CKPT_F_ENVIRON, S.maps, n);
}

static void send_hello(void) {
    struct ckpt_hello h;
    memset(&h, 0, sizeof h);
    h.version = CKPT_PROTOCOL_VERSION;
    h.pid = S.virt_pid;
    h.ppid = S.virt_ppid;
    h.pgid = getpgid(0);  /* interposed: under the original pids after a restart, as pid and ppid */
    h.sid = getsid(0);
    h.real_pid = raw_getpid();
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    h.uid = r; h.euid = e; h.suid = s; h.gid = gr; h.egid = ge; h.sgid = gs;
    h.nthreads = (uint32_t) S.nthreads;
    h.signo = (uint32_t) S.signo;
    read_brk_fields(&h.start_brk);
    h.brk = (uint64_t) (uintptr_t) sbrk(0);
    h.starttime = S.starttime;
    h.restored_addr = (uint64_t) (uintptr_t) &S.restored;
    /* the process's name is the main thread's; this code runs on the manager thread */
    ssize_t cl = read_file("/proc/self/comm", h.comm, sizeof h.comm - 1);
    if (cl > 0 && h.comm[cl - 1] == '\n') h.comm[cl - 1] = 0;
    send_frame(CKPT_F_HELLO, &h, sizeof h);
}

static void send_rlimits(void) {
    struct ckpt_rlimit rl[RLIM_NLIMITS];
    int n = 0;
    for (int i = 0; i < RLIM_NLIMITS; i++) {
        struct rlimit l;
        if (getrlimit(i, &l) == 0) rl[n++] = (struct ckpt_rlimit) { (uint32_t) i, 0, l.rlim_cur, l.rlim_max };
    }
    send_frame(CKPT_F_RLIMITS, rl, n * sizeof rl[0]);
}

struct k_sigaction { uint64_t handler; uint64_t flags; uint64_t restorer; uint64_t mask; };

static void send_sigactions(void) {
    struct ckpt_sigaction sa[64];
    int n = 0;
    for (int sig = 1; sig <= 64; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct k_sigaction k;
        if (syscall(SYS_rt_sigaction, sig, NULL, &k, 8) != 0) continue;
        sa[n++] = (struct ckpt_sigaction) { (uint32_t) sig, 0, k.handler, k.flags, k.restorer, k.mask };
    }
    send_frame(CKPT_F_SIGACTIONS, sa, n * sizeof sa[0]);
}

static void send_threads(void) {
    for (int i = 0; i < S.nthreads; i++) {
        struct saved_thread *st = &S.threads[i];
        send_frame2(CKPT_F_THREAD, &st->t, sizeof st->t, st->fp, st->t.fp_size);
    }
}

/* mtimes for CKPT_F_MTIMES, sent in batches (the reader takes them in any order after HELLO) */
static struct ckpt_mtime mtimes[256];
static int n_mtimes;

static void flush_mtimes(void) {
    if (n_mtimes > 0) send_frame(CKPT_F_MTIMES, mtimes, sizeof mtimes[0] * (size_t) n_mtimes);
    n_mtimes = 0;
}

static void mtime_add(uint32_t kind, int fd, uint64_t start, const struct stat *st) {
    mtimes[n_mtimes++] = (struct ckpt_mtime) { kind, fd, start, (int64_t) st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec };
    if (n_mtimes == (int) (sizeof mtimes / sizeof mtimes[0])) flush_mtimes();
}

static uint32_t fd_type(mode_t m) {
    if (S_ISREG(m)) return CKPT_FD_REG;
    if (S_ISDIR(m)) return CKPT_FD_DIR;
    if (S_ISFIFO(m)) return CKPT_FD_PIPE;
    if (S_ISSOCK(m)) return CKPT_FD_SOCKET;
    if (S_ISCHR(m)) return CKPT_FD_CHR;
    if (S_ISBLK(m)) return CKPT_FD_BLK;
    return CKPT_FD_OTHER;
}

/* The bytes buffered in a pipe (or FIFO) this process can read from, copied with tee(2) into a scratch pipe: the pipe
 * itself keeps them, so the program goes on unchanged, and every other process of a tree checkpoint is stopped, so
 * nothing moves meanwhile. Pipes holding more than the copy buffer (1 MiB, above the default pipe-max-size) are
 * left out. */
static void send_pipe_data(int fd, uint64_t inode) {
    int avail = 0;
    if (S.tee[0] < 0 || ioctl(fd, FIONREAD, &avail) != 0 || avail <= 0) return;
    if ((size_t) avail > CHUNK_PAGES * PAGE) {
        log_msg("libckpt: fd %d holds %d bytes, more than a checkpoint keeps; left out\n", fd, avail);
        return;
    }
    int cap = fcntl(fd, F_GETPIPE_SZ);
    if (cap > fcntl(S.tee[1], F_GETPIPE_SZ)) fcntl(S.tee[1], F_SETPIPE_SZ, cap);
    ssize_t n = tee(fd, S.tee[1], (size_t) avail, SPLICE_F_NONBLOCK);
    if (n <= 0) return;
    size_t got = 0;
    while (got < (size_t) n) {
        ssize_t r = read(S.tee[0], S.buf + got, (size_t) n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t) r;
    }
    if (got != (size_t) n) return;
    struct ckpt_pipe_data d = { inode, fd, 0 };
    send_frame2(CKPT_F_PIPE_DATA, &d, sizeof d, S.buf, got);
}

/* The inode of a unix socket's peer, from the kernel's sock_diag (0 when unknown). */
static uint64_t unix_peer(uint64_t inode) {
    if (S.diag < 0) return 0;
    struct { struct nlmsghdr h; struct unix_diag_req r; } rq;
    memset(&rq, 0, sizeof rq);
    rq.h.nlmsg_len = sizeof rq;
    rq.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    rq.h.nlmsg_flags = NLM_F_REQUEST;
    rq.r.sdiag_family = AF_UNIX;
    rq.r.udiag_states = ~0u;
    rq.r.udiag_ino = (uint32_t) inode;
    rq.r.udiag_show = UDIAG_SHOW_PEER;
    rq.r.udiag_cookie[0] = rq.r.udiag_cookie[1] = ~0u;
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
    if (sendto(S.diag, &rq, sizeof rq, 0, (struct sockaddr *) &sa, sizeof sa) != (ssize_t) sizeof rq) return 0;
    uint64_t b[1024];
    ssize_t n = recv(S.diag, b, sizeof b, 0);
    if (n < (ssize_t) NLMSG_LENGTH(sizeof(struct unix_diag_msg))) return 0;
    struct nlmsghdr *h = (struct nlmsghdr *) b;
    if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len > (size_t) n) return 0;
    struct rtattr *a = (struct rtattr *) ((char *) NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct unix_diag_msg)));
    int len = (int) h->nlmsg_len - (int) NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct unix_diag_msg)));
    for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= 4) return *(uint32_t *) RTA_DATA(a);
    }
    return 0;
}

/* A unix socket's peer and receive queue. The queue is peeked from offset 0 on (SO_PEEK_OFF, put back afterwards):
 * every message stays queued for the program. Queues over the copy buffer are left out (flags 0). */
static void send_unix_socket(int fd, uint64_t inode) {
    struct ckpt_unix_sock u = { inode, unix_peer(inode), fd, 0, 0, 0 };
    /* the frame stays within the largest one the reader takes (a PAGES run: 16 + 1 MiB) */
    size_t used = 0, cap = CHUNK_PAGES * PAGE - (sizeof u - sizeof(struct ckpt_pages));
    int old = -1, zero = 0;
    socklen_t l = sizeof old;
    if (getsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &old, &l) == 0 && setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof zero) == 0) {
        u.flags = CKPT_UNIX_QUEUE_SAVED;
        for (;;) {
            if (used + 4 >= cap) { u.flags = 0; break; }
            struct iovec iov = { S.buf + used + 4, cap - used - 4 };
            struct msghdr mh;
            memset(&mh, 0, sizeof mh);
            mh.msg_iov = &iov;
            mh.msg_iovlen = 1;
            ssize_t n = recvmsg(fd, &mh, MSG_PEEK | MSG_DONTWAIT);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) u.flags = 0;  /* not connected, listening...: nothing */
            if (n <= 0) break;
            if (mh.msg_flags & MSG_TRUNC) { u.flags = 0; break; }
            uint32_t len = (uint32_t) n;
            memcpy(S.buf + used, &len, 4);
            used += 4 + (size_t) n;
            u.nmsgs++;
        }
        setsockopt(fd, SOL_SOCKET, SO_PEEK_OFF, &old, sizeof old);
    }
    if (!(u.flags & CKPT_UNIX_QUEUE_SAVED)) { used = 0; u.nmsgs = 0; }
    send_frame2(CKPT_F_UNIX_SOCK, &u, sizeof u, S.buf, used);
}

static void send_fds(void) {
    int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return;
    char dents[8192];
    long n;
    while ((n = syscall(SYS_getdents64, dfd, dents, sizeof dents)) > 0) {
        for (long off = 0; off < n;) {
            struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *d =
                (void *) (dents + off);
            off += d->reclen;
            if (d->name[0] == '.') continue;
            int fd = atoi(d->name);
            if (fd == dfd || fd == S.conn_fd || fd == S.listen_fd || fd == S.wake[0] || fd == S.wake[1] || fd == S.tee[0]
                || fd == S.tee[1] || fd == S.diag || fd == S.pipe[0][0] || fd == S.pipe[0][1] || fd == S.pipe[1][0] || fd == S.pipe[1][1]) continue;
            struct stat st;
            if (fstat(fd, &st) != 0) continue;
            struct ckpt_fd f;
            memset(&f, 0, sizeof f);
            f.fd = fd;
            f.flags = fcntl(fd, F_GETFL);
            f.cloexec = (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
            f.type = fd_type(st.st_mode);
            if (f.type == CKPT_FD_PIPE) {
                char l[64];
                snprintf(l, sizeof l, "/proc/self/fd/%d", fd);
                char t[8];
                ssize_t k = raw_readlink(l, t, sizeof t);
                if (!(k >= 5 && memcmp(t, "pipe:", 5) == 0)) f.type = CKPT_FD_FIFO;
            }
            f.mode = st.st_mode;
            f.inode = st.st_ino;
            f.dev = st.st_dev;
            f.size = (uint64_t) st.st_size;
            if (f.type == CKPT_FD_REG) mtime_add(CKPT_MTIME_FD, fd, 0, &st);
            f.pos = (f.type == CKPT_FD_REG || f.type == CKPT_FD_DIR || f.type == CKPT_FD_BLK) ? lseek(fd, 0, SEEK_CUR) : -1;
            if (f.type == CKPT_FD_SOCKET) {
                socklen_t l = sizeof(int);
                getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &f.sock_domain, &l);
                l = sizeof(int);
                getsockopt(fd, SOL_SOCKET, SO_TYPE, &f.sock_type, &l);
                l = sizeof(int);
                getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &f.sock_protocol, &l);
            }
            char link[64], path[4096];
            snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
            ssize_t pl = raw_readlink(link, path, sizeof path);
            send_frame2(CKPT_F_FD, &f, sizeof f, path, pl > 0 ? (size_t) pl : 0);
            /* a FIFO is a pipe with a name: its bytes are saved the same way */
            if ((f.type == CKPT_FD_PIPE || f.type == CKPT_FD_FIFO) && (f.flags & O_ACCMODE) != O_WRONLY) send_pipe_data(fd, f.inode);
            if (f.type == CKPT_FD_SOCKET && f.sock_domain == AF_UNIX) send_unix_socket(fd, f.inode);
        }
    }
    close(dfd);
}

static int is_zero_page(const uint8_t *p) {
    const uint64_t *q = (const uint64_t *) p;
    for (size_t i = 0; i < PAGE / 8; i += 8) {  /* stops at the first non-zero cache line: most pages are not zero */
        if (q[i] | q[i + 1] | q[i + 2] | q[i + 3] | q[i + 4] | q[i + 5] | q[i + 6] | q[i + 7]) return 0;
    }
    return 1;
}

/*
 * Moves n bytes of our own memory at p to the socket as page references (vmsplice, then splice), without a copy
 * by this process. Used only for held dumps: the references stay in the socket until the requester reads them, and
 * the process does not run (and change those pages) before the requester's next byte, which comes after it read
 * the END frame. Besides saving a copy, this keeps the kernel from touching the pages through our own mapping,
 * which costs more than the copy where the kernel runs paravirtualised (first checkpoint of 1 GiB: 0.19 s against
 * 0.64 s with send(2) on the machine this was measured on). Returns the bytes not moved (sent the usual way).
 */
static size_t splice_out(const uint8_t *p, size_t n) {
    while (n > 0 && S.pipe[0][1] >= 0) {
        struct iovec iov = { (void *) p, n };
        ssize_t in = vmsplice(S.pipe[0][1], &iov, 1, 0);
        if (in < 0 && errno == EINTR) continue;
        if (in <= 0) break;  /* not spliceable: the rest goes through send(2) */
        for (ssize_t left = in; left > 0;) {
            ssize_t out = splice(S.pipe[0][0], NULL, S.conn_fd, NULL, (size_t) left, SPLICE_F_MORE);
            if (out < 0 && errno == EINTR) continue;
            if (out <= 0) { S.dump_status = -1; return 0; }  /* the stream is cut: nothing more can follow */
            left -= out;
        }
        p += in;
        n -= (size_t) in;
    }
    return n;
}

/* Whether p is in S.buf, which the next chunk rewrites at once: never sent as references. */
static int in_buf(const uint8_t *p) { return p >= S.buf && p < S.buf + CHUNK_PAGES * PAGE; }

/* CRC32C (Castagnoli, reflected, as java.util.zip.CRC32C and the CKPT format compute it) with SSE 4.2, adding the
 * 8-byte words of p (n a multiple of 8) to a Fletcher sum on the way, nearly free; piped dumps are offered only where
 * the CPU has it (1 GiB in about 0.1 s, in this process, while the requester splices). */
#ifdef __x86_64__
__attribute__((target("sse4.2"))) static uint32_t crc32c_sum(uint32_t crc, const uint8_t *p, size_t n, uint64_t sum[2]) {
    uint64_t c = (uint32_t) ~crc, a = sum[0], b = sum[1];
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
        a += v;
        b += a;
    }
    sum[0] = a;
    sum[1] = b;
    return ~(uint32_t) c;
}
static int have_crc32c(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
}
#else
static uint32_t crc32c_sum(uint32_t crc, const uint8_t *p, size_t n, uint64_t sum[2]) { (void) p; (void) n; (void) sum; return crc; }
static int have_crc32c(void) { return 0; }
#endif

static void fletcher(const uint8_t *p, size_t n, uint64_t sum[2]) {
    uint64_t a = sum[0], b = sum[1];
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        a += v;
        b += a;
    }
    sum[0] = a;
    sum[1] = b;
}

/* Waits until page pipe fd has room (poll takes no pipe lock, so this does not hold up the requester's splice);
 * -1 if the requester hung up (the process must never stay stopped because its requester went away). No time
 * limit: in a tree, this process's pipes are read only after the processes before it are done. */
static int await_pipe_room(int fd) {
    struct pollfd pf[2] = { { fd, POLLOUT, 0 }, { S.conn_fd, POLLRDHUP, 0 } };
    int r;
    while ((r = poll(pf, 2, -1)) < 0 && errno == EINTR) {}
    if (r <= 0 || (pf[1].revents & (POLLRDHUP | POLLHUP | POLLERR))) return -1;
    return 0;
}

/* Puts n bytes at p in the current block's pipe: as references to our memory where allowed (vmsplice), else copied
 * (write). */
static int pipe_in(const uint8_t *p, size_t n, int by_reference) {
    int fd = S.pipe[S.blk.pipe][1];
    while (n > 0) {
        if (await_pipe_room(fd) != 0) return -1;
        ssize_t k;
        if (by_reference) {
            struct iovec iov = { (void *) p, n };
            k = vmsplice(fd, &iov, 1, SPLICE_F_NONBLOCK);
        } else {
            k = write(fd, p, n);
        }
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (k < 0 && by_reference) { by_reference = 0; continue; }  /* memory vmsplice refuses: copy it */
        if (k <= 0) return -1;
        p += k;
        n -= (size_t) k;
    }
    return 0;
}

/* Waits until the requester has spliced everything out of pipe i; -1 if it hung up. */
static int await_pipe_empty(int i) {
    /* room, but not empty: a splice is running, or (in a tree) ckpt is still reading the processes before this one;
     * look again after 50 us, backing off to 2 ms */
    for (long ns = 50000;; ns = ns < 2000000 ? ns * 2 : ns) {
        int n = 0;
        if (ioctl(S.pipe[i][1], FIONREAD, &n) != 0 || n == 0) return 0;
        if (await_pipe_room(S.pipe[i][1]) != 0) return -1;
        struct timespec ts = { 0, ns };
        nanosleep(&ts, NULL);
    }
}

/* Once pipe i is empty, sums again what its last block took by reference: the requester spliced those bytes in
 * between, so equal sums mean it got the bytes the block's checksum was computed from. */
static int recheck_pipe(int i) {
    if (S.ref_nruns[i] == 0) return 0;
    if (await_pipe_empty(i) != 0) return -1;
    uint64_t sum[2] = { 0, 0 };
    for (uint32_t r = 0; r < S.ref_nruns[i]; r++) {
        fletcher((const uint8_t *) (uintptr_t) S.ref_runs[i][r].vaddr, S.ref_runs[i][r].npages * PAGE, sum);
    }
    uint64_t first = S.ref_runs[i][0].vaddr;
    S.ref_nruns[i] = 0;
    if (sum[0] == S.ref_sum[i][0] && sum[1] == S.ref_sum[i][1]) return 0;
    char m[160];
    snprintf(m, sizeof m, "memory changed while the checkpoint read it (a page block from 0x%llx); checkpoint again",
             (unsigned long long) first);
    send_frame(CKPT_F_ERROR, m, strlen(m));
    return -1;
}

/* Appends a run of k pages from addr to runs[0..*n), extending the last run where it ends at addr. */
static void add_run(struct ckpt_pages *runs, uint32_t *n, uint64_t addr, uint64_t k) {
    struct ckpt_pages *last = *n ? &runs[*n - 1] : NULL;
    if (last && last->vaddr + last->npages * PAGE == addr) last->npages += k;
    else runs[(*n)++] = (struct ckpt_pages) { addr, k };
}

/* Sends the PAGE_BLOCK frame for the pages put in the pipe since the last one. */
static void flush_block(void) {
    if (S.blk_pages == 0) return;
    send_frame2(CKPT_F_PAGE_BLOCK, &S.blk, sizeof S.blk, S.blk_runs, S.blk.nruns * sizeof S.blk_runs[0]);
    S.blk.nruns = 0;
    S.blk.crc32c = 0;
    S.blk.pipe ^= 1;
    S.blk_pages = 0;
}

/* A run of non-zero pages in a piped dump: into the pipe, and into blocks of at most S.pipe_pages pages. The frame
 * follows the bytes, so the requester never waits in the pipe for bytes that are not there; a block fits the pipe
 * whole, so putting the next one in waits only for the requester to splice out the last. */
static void pipe_pages(uint64_t addr, const uint8_t *src, uint64_t count, int by_reference) {
    while (count > 0 && !S.dump_status) {
        int p = (int) S.blk.pipe;
        if (S.blk_pages == 0) {  /* a new block in pipe p: its last one must be out, and unchanged */
            if (recheck_pipe(p) != 0) { S.dump_status = -1; return; }
            S.ref_sum[p][0] = S.ref_sum[p][1] = 0;
        }
        uint64_t k = S.pipe_pages - S.blk_pages;
        if (k > count) k = count;
        /* memory the dump itself may write (its own stack, say) is copied once, and that copy is summed and sent:
         * the checksum must be of the bytes the image gets */
        const uint8_t *from = src;
        if (!by_reference && !in_buf(src)) from = memcpy(S.buf, src, k * PAGE);
        uint64_t unchecked[2] = { 0, 0 };  /* copied bytes stay as summed: only references are summed again */
        S.blk.crc32c = crc32c_sum(S.blk.crc32c, from, k * PAGE, by_reference ? S.ref_sum[p] : unchecked);
        if (by_reference) add_run(S.ref_runs[p], &S.ref_nruns[p], addr, k);
        if (pipe_in(from, k * PAGE, by_reference) != 0) { S.dump_status = -1; return; }
        add_run(S.blk_runs, &S.blk.nruns, addr, k);
        S.blk_pages += (uint32_t) k;
        if (S.blk_pages == S.pipe_pages) flush_block();
        addr += k * PAGE;
        src += k * PAGE;
        count -= k;
    }
}

/* One PAGES frame: header and data; the data as references where the dump allows it (splice_out). */
static void send_pages(uint64_t addr, const uint8_t *src, uint64_t count) {
    if (S.piped) {
        pipe_pages(addr, src, count, S.splice_area && !in_buf(src));
        return;
    }
    struct ckpt_pages ph = { addr, count };
    size_t len = count * PAGE;
    if (S.pipe[0][1] < 0 || !S.splice_area || in_buf(src)) {
        send_frame2(CKPT_F_PAGES, &ph, sizeof ph, src, len);
        return;
    }
    struct ckpt_frame f = { CKPT_F_PAGES, 0, sizeof ph + len };
    if (S.dump_status) return;
    if (send_all(&f, sizeof f) || send_all(&ph, sizeof ph)) { S.dump_status = -1; return; }
    size_t rest = splice_out(src, len);
    if (S.dump_status == 0 && rest > 0 && send_all(src + len - rest, rest) != 0) S.dump_status = -1;
}

/* Sends the non-zero pages among pages [i, j) of the chunk at a, whose content is at src (frames of runs). */
static void send_nonzero_runs(uint64_t a, const uint8_t *src, uint64_t i, uint64_t j) {
    for (uint64_t k = i; k < j;) {
        if (is_zero_page(src + k * PAGE)) { k++; continue; }
        uint64_t m = k;
        while (m < j && !is_zero_page(src + m * PAGE)) m++;
        send_pages(a + k * PAGE, src + k * PAGE, m - k);
        k = m;
    }
}

/* Sends the non-zero pages of [start, end). For anonymous memory, pagemap says which pages were never touched
 * (zero without reading them) and which are in RAM: those are sent straight from where they are. Other content
 * is copied first with process_vm_readv, which fails softly where a plain read would fault (file pages past EOF). */
#define PM_PRESENT (1ULL << 63)  /* /proc/self/pagemap: the page is in RAM */
#define PM_SWAPPED (1ULL << 62)  /* ... or in swap */

static void send_area_pages(uint64_t start, uint64_t end, int anonymous, int pagemap_fd) {
    uint64_t pm[CHUNK_PAGES];
    for (uint64_t a = start; a < end && !S.dump_status; a += CHUNK_PAGES * PAGE) {
        uint64_t n = (end - a) / PAGE;
        if (n > CHUNK_PAGES) n = CHUNK_PAGES;
        int have_pm = anonymous && pagemap_fd >= 0
            && pread(pagemap_fd, pm, n * 8, (off_t) (a / PAGE * 8)) == (ssize_t) (n * 8);
        uint64_t i = 0;
        while (i < n) {
            if (have_pm && !(pm[i] & (PM_PRESENT | PM_SWAPPED))) { i++; continue; }  /* never touched: zero */
            if (have_pm && (pm[i] & PM_PRESENT)) {
                /* anonymous pages in RAM of our own (paused) process: sent from where they are, no copy first */
                uint64_t j = i;
                while (j < n && (pm[j] & PM_PRESENT)) j++;
                send_nonzero_runs(a, (const uint8_t *) (uintptr_t) a, i, j);
                i = j;
                continue;
            }
            /* swapped out, or no pagemap (file mappings): copied first */
            uint64_t j = i;
            while (j < n && (!have_pm || (pm[j] & (PM_PRESENT | PM_SWAPPED)) == PM_SWAPPED)) j++;
            struct iovec local = { S.buf + i * PAGE, (j - i) * PAGE }, remote = { (void *) (uintptr_t) (a + i * PAGE), (j - i) * PAGE };
            ssize_t got = process_vm_readv(S.real_pid, &local, 1, &remote, 1, 0);
            if (got < 0) got = 0;
            uint64_t ok = (uint64_t) got / PAGE;
            for (uint64_t k = i + ok; k < j; k++) {  /* partial: read the rest page by page, skip unreadable */
                struct iovec l1 = { S.buf + k * PAGE, PAGE }, r1 = { (void *) (uintptr_t) (a + k * PAGE), PAGE };
                if (process_vm_readv(S.real_pid, &l1, 1, &r1, 1, 0) != (ssize_t) PAGE) memset(S.buf + k * PAGE, 0, PAGE);
            }
            send_nonzero_runs(a, S.buf, i, j);
            i = j;
        }
    }
}

/*
 * Whether [start, end) may be sent as references: it must hold nothing this dump writes after sending it, or the
 * requester would read the later bytes. The dump writes its own stack and TLS (a thread stack of the manager's),
 * this library's state and its saved threads; file-backed data (libc's) goes through the copying path anyway. In a
 * restarted copy, the libraries' data is anonymous memory too: the library is linked with -z now so that no lazy
 * binding writes a GOT or ld.so's data during a dump (a piped dump's checksums caught that).
 */
static int overlaps(uint64_t start, uint64_t end, const void *p, size_t n) {
    uintptr_t a = (uintptr_t) p;
    return a < end && a + n > start;
}

static int spliceable(uint64_t start, uint64_t end) {
    /* whole objects, not their first bytes: S spans pages, and the kernel may have put its tail in another area
     * (a piped dump's checksums caught S's block list there, rewritten after it was sent) */
    return !(overlaps(start, end, &start, sizeof start) || overlaps(start, end, &errno, sizeof errno)
             || overlaps(start, end, &S, sizeof S) || overlaps(start, end, mtimes, sizeof mtimes)
             || overlaps(start, end, S.threads, MAX_THREADS * sizeof *S.threads)
             || overlaps(start, end, S.buf, CHUNK_PAGES * PAGE + MAPS_MAX));
}

/* One line of /proc/self/maps. */
struct maps_line {
    unsigned long long start, end, pgoff, ino;
    unsigned maj, min;
    char perms[8];
    const char *name;  /* "" for none */
};

/* Parses a NUL-terminated line of /proc/self/maps; 0 if it is not one. */
static int parse_maps_line(const char *line, struct maps_line *m) {
    int name_at = 0;
    if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &m->start, &m->end, m->perms, &m->pgoff, &m->maj, &m->min,
               &m->ino, &name_at) < 7) return 0;
    m->name = name_at ? line + name_at : "";
    return 1;
}

static void send_areas(void) {
    ssize_t n = read_file("/proc/self/maps", S.maps, MAPS_MAX - 1);
    if (n <= 0) { S.dump_status = -1; return; }
    S.maps[n] = 0;
    int pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    char *line = S.maps;
    while (*line && !S.dump_status) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        struct maps_line m;
        if (parse_maps_line(line, &m)) {
            struct ckpt_area ar = { m.start, m.end, m.pgoff, 0, 0, makedev(m.maj, m.min), m.ino };
            if (m.perms[0] == 'r') ar.prot |= PROT_READ;
            if (m.perms[1] == 'w') ar.prot |= PROT_WRITE;
            if (m.perms[2] == 'x') ar.prot |= PROT_EXEC;
            ar.flags = m.perms[3] == 's' ? MAP_SHARED : MAP_PRIVATE;
            int anonymous = m.ino == 0 && (m.name[0] == 0 || m.name[0] == '[');
            if (anonymous) ar.flags |= MAP_ANONYMOUS;
            if (strcmp(m.name, "[stack]") == 0) ar.flags |= MAP_GROWSDOWN;
            if (m.start >= CKPT_LOADER_BASE && m.end <= CKPT_LOADER_END) goto next;  /* the loader of a restart */
            send_frame2(CKPT_F_AREA, &ar, sizeof ar, m.name, strlen(m.name));
            /* the vDSO is saved (a restore elsewhere, e.g. by criu, matches it against the running kernel's);
             * vvar pages are kernel data that changes under the reader, vsyscall is not readable memory */
            int special = strncmp(m.name, "[vvar", 5) == 0 || strcmp(m.name, "[vsyscall]") == 0;
            if ((ar.prot & PROT_READ) && !special) {
                /* the library's own buffers are rewritten during the dump: their content is useless, skip it
                 * (the kernel may have merged them with neighbouring anonymous memory, so cut, not drop) */
                uint64_t bs = (uintptr_t) S.buf, be = bs + CHUNK_PAGES * PAGE + MAPS_MAX;
                S.splice_area = spliceable(m.start, m.end);
                if (be <= m.start || bs >= m.end) {
                    send_area_pages(m.start, m.end, anonymous, pagemap_fd);
                } else {
                    if (bs > m.start) send_area_pages(m.start, bs, anonymous, pagemap_fd);
                    if (be < m.end) send_area_pages(be, m.end, anonymous, pagemap_fd);
                }
            }
        }
    next:
        if (!nl) break;
        line = nl + 1;
    }
    if (pagemap_fd >= 0) close(pagemap_fd);
}

/* The tracer (a debugger, strace, a ptrace sandbox): it is not part of the image, validate reports it. */
static void send_status(void) {
    struct ckpt_status s = { 0, 0 };
    ssize_t n = read_file("/proc/self/status", S.maps, MAPS_MAX - 1);
    if (n > 0) {
        S.maps[n] = 0;
        char *t = strstr(S.maps, "\nTracerPid:");
        if (t) s.tracer_pid = atoi(t + 11);
    }
    send_frame(CKPT_F_STATUS, &s, sizeof s);
}

/* mtime of the mapped files whose path still names the mapped inode (those of open regular files are added by
 * send_fds), so that validate can tell a file touched since the checkpoint from one left alone. */
static void send_mtimes(void) {
    struct stat st;
    ssize_t len = read_file("/proc/self/maps", S.maps, MAPS_MAX - 1);
    if (len > 0) {
        S.maps[len] = 0;
        for (char *line = S.maps; *line;) {
            char *nl = strchr(line, '\n');
            if (nl) *nl = 0;
            struct maps_line m;
            if (parse_maps_line(line, &m) && m.ino != 0 && m.name[0] == '/' && raw_stat(m.name, &st) == 0
                    && st.st_ino == m.ino && st.st_dev == makedev(m.maj, m.min)) {
                mtime_add(CKPT_MTIME_AREA, -1, m.start, &st);
            }
            if (!nl) break;
            line = nl + 1;
        }
    }
    flush_mtimes();
}

/* Resets a piped dump's state. */
static void reset_blocks(void) {
    S.piped = 0;
    S.blk_pages = 0;
    memset(&S.blk, 0, sizeof S.blk);
    S.ref_nruns[0] = S.ref_nruns[1] = 0;
}

/* The pipes of a held dump's page data, made before SUSPENDED so their read ends can be offered (struct
 * ckpt_suspended); pipe_pages: 0 unless both hold at least a block of MIN_BLOCK_PAGES. */
static void open_page_pipes(void) {
    reset_blocks();
    S.pipe_pages = CHUNK_PAGES;
    for (int i = 0; i < 2; i++) {
        if (pipe2(S.pipe[i], O_CLOEXEC) != 0) { S.pipe[i][0] = S.pipe[i][1] = -1; S.pipe_pages = 0; continue; }
        /* fewer, larger splices (1 MiB is what fs.pipe-max-size gives any user by default) */
        fcntl(S.pipe[i][1], F_SETPIPE_SZ, CHUNK_PAGES * PAGE);
        int size = fcntl(S.pipe[i][1], F_GETPIPE_SZ);
        uint32_t pages = size > 0 ? (uint32_t) ((size_t) size / PAGE) : 0;
        if (pages < S.pipe_pages) S.pipe_pages = pages;
    }
    if (S.pipe_pages < MIN_BLOCK_PAGES) S.pipe_pages = 0;
}

static void close_page_pipes(void) {
    for (int i = 0; i < 2; i++) {
        if (S.pipe[i][0] >= 0) {
            close(S.pipe[i][0]);
            close(S.pipe[i][1]);
        }
        S.pipe[i][0] = S.pipe[i][1] = -1;
    }
    reset_blocks();
}

static void dump_all(ucontext_t *uc) {
    save_thread(&S.threads[S.nthreads++], uc, CKPT_THREAD_MANAGER);
    S.dump_status = 0;
    send_hello();
    send_proc_file(CKPT_F_CMDLINE, "/proc/self/cmdline");
    send_environ();
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd)) send_frame(CKPT_F_CWD, cwd, strlen(cwd));
    char exe[4096];
    ssize_t el = raw_readlink("/proc/self/exe", exe, sizeof exe);
    if (el > 0) send_frame(CKPT_F_EXE, exe, (size_t) el);
    send_rlimits();
    send_sigactions();
    send_threads();
    if (pipe2(S.tee, O_CLOEXEC | O_NONBLOCK) != 0) S.tee[0] = S.tee[1] = -1;
    S.diag = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    send_fds();
    if (S.tee[0] >= 0) {
        close(S.tee[0]);
        close(S.tee[1]);
        S.tee[0] = S.tee[1] = -1;
    }
    if (S.diag >= 0) close(S.diag);
    S.diag = -1;
    send_areas();
    flush_block();
    if (S.piped && !S.dump_status && (recheck_pipe(0) != 0 || recheck_pipe(1) != 0)) S.dump_status = -1;
    close_page_pipes();  /* a piped requester holds its own read ends: what is in the pipes stays for it */
    send_status();
    send_mtimes();
    struct ckpt_end e = { (uint32_t) S.dump_status, 0 };
    send_frame(CKPT_F_END, &e, sizeof e);
}

static void on_signal(int sig, siginfo_t *si, void *ctx) {
    (void) sig;
    (void) si;
    int saved_errno = errno;
    ucontext_t *uc = ctx;
    if (raw_gettid() == S.manager_tid) {
        dump_all(uc);
        errno = saved_errno;
        return;
    }
    int gen = __atomic_load_n(&S.resume_gen, __ATOMIC_ACQUIRE);
    int slot = __atomic_fetch_add(&S.nthreads, 1, __ATOMIC_ACQ_REL);
    if (slot < MAX_THREADS - 1) save_thread(&S.threads[slot], uc, 0);
    __atomic_add_fetch(&S.parked, 1, __ATOMIC_RELEASE);
    futex_wake(&S.parked);
    while (__atomic_load_n(&S.resume_gen, __ATOMIC_ACQUIRE) == gen) futex_wait(&S.resume_gen, gen, -1);
    errno = saved_errno;
}

/* ---------- manager thread ---------- */

static void run_callbacks(struct callback *cbs, int *n) {
    pthread_mutex_lock(&S.cb_lock);
    int count = *n;
    pthread_mutex_unlock(&S.cb_lock);
    for (int i = 0; i < count; i++) cbs[i].fn(cbs[i].arg);
}

static int list_tasks(pid_t *out, int cap) {
    int dfd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return -1;
    char dents[4096];
    long n;
    int k = 0;
    while ((n = syscall(SYS_getdents64, dfd, dents, sizeof dents)) > 0) {
        for (long off = 0; off < n;) {
            struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *d =
                (void *) (dents + off);
            off += d->reclen;
            if (d->name[0] != '.' && k < cap) out[k++] = atoi(d->name);
        }
    }
    close(dfd);
    return k;
}

/* A thread counts itself parked just before it sleeps: until it is in the kernel, in futex(2), it still writes its
 * stack (and, back from futex_wake, the kernel its rseq area). A dump reads those pages later, a piped one by
 * reference, so wait until /proc says each sleeps in futex(2); after a second, go on as before. */
static void await_asleep(const pid_t *tids, int n) {
    char path[64], line[32], want[16];
    int wl = snprintf(want, sizeof want, "%d ", (int) SYS_futex);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int) tids[i]);
        for (int tries = 0; tries < 10000; tries++) {
            ssize_t k = read_file(path, line, sizeof line - 1);
            if (k <= 0) break;  /* gone */
            line[k] = 0;
            if (strncmp(line, want, (size_t) wl) == 0) break;
            struct timespec ts = { 0, 100000 };
            nanosleep(&ts, NULL);
        }
    }
}

/* Stops every thread but the manager; returns 0 when all parked within the deadline. */
static int quiesce(void) {
    static pid_t done[MAX_THREADS];
    pid_t now[MAX_THREADS];
    int ndone = 0;
    S.signalled = 0;
    for (int round = 0; round < 100; round++) {
        int n = list_tasks(now, MAX_THREADS);
        int added = 0;
        for (int i = 0; i < n; i++) {
            if (now[i] == S.manager_tid) continue;
            int seen = 0;
            for (int j = 0; j < ndone; j++) if (done[j] == now[i]) { seen = 1; break; }
            if (seen || ndone >= MAX_THREADS - 1) continue;
            done[ndone++] = now[i];
            if (syscall(SYS_tgkill, S.real_pid, now[i], S.signo) == 0) { S.signalled++; added++; }
        }
        for (int waited = 0; __atomic_load_n(&S.parked, __ATOMIC_ACQUIRE) < S.signalled; waited++) {
            if (waited > 100) return -1;  /* 10 s */
            futex_wait(&S.parked, __atomic_load_n(&S.parked, __ATOMIC_ACQUIRE), 100);
        }
        if (!added && round > 0) {
            await_asleep(done, ndone);
            return 0;
        }
    }
    return -1;
}

static void resume_all(void) {
    S.nthreads = 0;
    S.parked = 0;
    __atomic_add_fetch(&S.resume_gen, 1, __ATOMIC_RELEASE);
    futex_wake(&S.resume_gen);
}

static int open_listener(void) {
    const char *dir = getenv("CKPT_SOCKET_DIR");
    if (!dir || !*dir) dir = "/tmp";
    snprintf(S.sock_path, sizeof S.sock_path, "%s/ckpt-%d.sock", dir, (int) S.real_pid);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    memcpy(a.sun_path, S.sock_path, sizeof a.sun_path - 1);
    unlink(S.sock_path);
    /* only the owner (and root) may ask for a checkpoint: connecting needs write permission on the socket */
    if (bind(fd, (struct sockaddr *) &a, sizeof a) != 0 || chmod(S.sock_path, 0600) != 0 || listen(fd, 4) != 0) {
        log_msg("libckpt: cannot listen on %s: %s\n", S.sock_path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void load_pathmap(void) {
    char p[128];
    const char *dir = getenv("CKPT_SOCKET_DIR");
    if (!dir || !*dir) dir = "/tmp";
    snprintf(p, sizeof p, "%s/ckpt-restart-%d.pathmap", dir, (int) S.virt_pid);
    char *b = malloc(65536);
    if (!b) return;
    ssize_t n = read_file(p, b, 65536);
    unlink(p);
    if (n <= 0) { free(b); return; }
    S.pathmap = b;
    S.pathmap_len = (size_t) n;
}

/* The tree's pid map the loader left in its window; mincore tells whether that page is there at all. */
static volatile struct ckpt_pidmap *find_pidmap(void) {
    unsigned char v;
    int e = errno;
    volatile struct ckpt_pidmap *m = NULL;
    if (mincore((void *) (uintptr_t) CKPT_PIDMAP_ADDR, PAGE, &v) == 0
        && memcmp((const void *) (uintptr_t) CKPT_PIDMAP_ADDR, "CKPTPIDS", 8) == 0)
        m = (volatile struct ckpt_pidmap *) (uintptr_t) CKPT_PIDMAP_ADDR;
    errno = e;
    return m;
}

static void after_restart(void) {
    S.real_pid = raw_getpid();
    S.starttime = read_starttime();
    S.generation++;
    S.listen_fd = -1;  /* the old numbers may belong to the program now: forget, do not close */
    S.conn_fd = -1;
    S.pipe[0][0] = S.pipe[0][1] = S.pipe[1][0] = S.pipe[1][1] = -1;  /* the dump's page pipes: old numbers too */
    reset_blocks();
    S.nthreads = 0;
    S.parked = 0;
    S.manager_tid = (pid_t) raw_gettid();
    if (S.wake[0] >= 0 && pipe2(S.wake, O_CLOEXEC | O_NONBLOCK) != 0) S.wake[0] = S.wake[1] = -1;  /* old numbers: see above */
    load_pathmap();
    S.pidmap = find_pidmap();
    S.listen_fd = open_listener();
    run_callbacks(S.post, &S.npost);
    log_msg("libckpt: restarted as pid %d (was %d)\n", (int) S.real_pid, (int) S.virt_pid);
}

/* One byte from the requester, or -1 when it closed or stayed silent for a minute (a tree checkpoint never leaves
 * the program stopped for good because its requester died). */
static int await_byte(int fd) {
    struct pollfd pf = { fd, POLLIN, 0 };
    int r;
    while ((r = poll(&pf, 1, 60000)) < 0 && errno == EINTR) {}
    if (r <= 0) return -1;
    unsigned char b;
    ssize_t n;
    while ((n = recv(fd, &b, 1, 0)) < 0 && errno == EINTR) {}
    return n == 1 ? b : -1;
}

/* Takes one checkpoint into fd (a requester's socket, or a file); returns 1 in a restarted copy, else 0. */
static int checkpoint_to(int fd, int is_socket, uint32_t flags) {
    S.conn_fd = fd;
    S.conn_is_socket = is_socket;
    S.request_flags = flags;
    run_callbacks(S.pre, &S.npre);
    unsigned long long before = S.starttime;
    if (quiesce() != 0) {
        const char *m = "cannot stop all threads (one blocks the checkpoint signal?)";
        send_frame(CKPT_F_ERROR, m, strlen(m));
        resume_all();
        S.conn_fd = -1;
        return 0;
    }
    if ((flags & CKPT_REQUEST_HOLD) && is_socket) {
        /* a tree checkpoint: dump only once every process of the tree is stopped, so pipes hold still */
        open_page_pipes();
        int offer = S.pipe_pages > 0 && have_crc32c();
        struct ckpt_suspended su = { S.virt_pid, S.real_pid, { offer ? S.pipe[0][0] : -1, offer ? S.pipe[1][0] : -1 },
                                     offer ? S.pipe_pages : 0, 0 };
        int go = send_frame(CKPT_F_SUSPENDED, &su, sizeof su) != 0 ? -1 : await_byte(fd);
        if (go != CKPT_GO_DUMP && !(go == CKPT_GO_DUMP_PIPED && offer)) {
            close_page_pipes();
            resume_all();
            S.conn_fd = -1;
            return 0;
        }
        if (go == CKPT_GO_DUMP_PIPED) {
            S.piped = 1;
            /* never block in a pipe: a requester that stops reading must not keep the process stopped */
            for (int i = 0; i < 2; i++) fcntl(S.pipe[i][1], F_SETFL, fcntl(S.pipe[i][1], F_GETFL) | O_NONBLOCK);
        }
    }
    syscall(SYS_tgkill, S.real_pid, S.manager_tid, S.signo);  /* dump_all runs in our handler, here */
    if (read_starttime() != before || raw_getpid() != S.real_pid) {
        after_restart();
        return 1;
    }
    if ((flags & (CKPT_REQUEST_HOLD | CKPT_REQUEST_KILL)) == CKPT_REQUEST_HOLD && is_socket) {
        await_byte(fd);  /* the other processes of the tree may still be dumping: stay stopped until told */
    }
    if ((flags & CKPT_REQUEST_KILL) && is_socket) {
        shutdown(fd, SHUT_WR);
        char x;
        while (recv(fd, &x, 1, 0) > 0) {}  /* the requester closes once the image is safe */
        unlink(S.sock_path);
        syscall(SYS_exit_group, 0);
    }
    S.conn_fd = -1;
    resume_all();
    run_callbacks(S.resume, &S.nresume);
    return 0;
}

static void serve(int c) {
    struct ckpt_request rq;
    ssize_t n = recv(c, &rq, sizeof rq, MSG_WAITALL);
    if (n != (ssize_t) sizeof rq || rq.magic != CKPT_REQUEST_MAGIC) { close(c); return; }
    if (!checkpoint_to(c, 1, rq.flags)) close(c);
}

/* The dump signal: the stream goes to DIR/ckpt-PID.stream (written as .tmp, then renamed), for
 * 'ckpt convert ckpt-PID.stream -o x.ckpt'. */
static void dump_to_file(void) {
    const char *dir = getenv("CKPT_SOCKET_DIR");
    if (!dir || !*dir) dir = "/tmp";
    char path[256], tmp[264];
    snprintf(path, sizeof path, "%s/ckpt-%d.stream", dir, (int) S.real_pid);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) { log_msg("libckpt: cannot write %s: %s\n", tmp, strerror(errno)); return; }
    if (checkpoint_to(fd, 0, 0)) return;  /* restarted copy: that fd is not ours any more */
    int ok = S.dump_status == 0 && fsync(fd) == 0;
    close(fd);
    if (ok) rename(tmp, path);
    else unlink(tmp);
}

static void on_dump_signal(int sig) {
    (void) sig;
    int e = errno;
    char b = 1;
    if (S.wake[1] >= 0) (void) !write(S.wake[1], &b, 1);
    errno = e;
}

static void *manager_main(void *arg) {
    (void) arg;
    S.manager_tid = (pid_t) raw_gettid();
    prctl(PR_SET_NAME, "ckpt-manager");
    S.listen_fd = open_listener();
    for (;;) {
        if (S.listen_fd < 0) { sleep(1); S.listen_fd = open_listener(); continue; }
        struct pollfd pf[2] = { { S.listen_fd, POLLIN, 0 }, { S.wake[0], POLLIN, 0 } };
        if (poll(pf, S.wake[0] >= 0 ? 2 : 1, -1) <= 0) continue;
        if (pf[1].revents & POLLIN) {
            char b[64];
            (void) !read(S.wake[0], b, sizeof b);
            dump_to_file();
            continue;
        }
        int c = accept4(S.listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) { if (errno != EINTR) usleep(100000); continue; }
        /* a deep send buffer: pages go out in 1 MiB frames, and with the default ~200 KiB each frame costs the
         * paused process several round trips through the scheduler (FORCE passes wmem_max when we may) */
        int sndbuf = 8 << 20;
        if (setsockopt(c, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) != 0)
            setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
        serve(c);
    }
    return NULL;
}

static void start_manager(void) {
    sigset_t all, old;
    sigfillset(&all);
    sigdelset(&all, S.signo);
    /* the manager must not take the program's signals (SIGINT, SIGALRM...): block all but ours while it starts */
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &at, manager_main, NULL) != 0) log_msg("libckpt: cannot start manager thread\n");
    pthread_attr_destroy(&at);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void child_after_fork(void) {
    S.sock_path[0] = 0;  /* the parent's: this process must never unlink it */
    S.virt_ppid = S.virt_pid;  /* the parent's pid as the parent itself sees it (its original pid after a restart) */
    S.real_pid = raw_getpid();
    S.virt_pid = S.real_pid;
    S.starttime = read_starttime();
    /* the parent's listening socket and requester connection came along: not this process's (and they would show
     * up in its checkpoints as sockets of the program) */
    if (S.listen_fd >= 0) close(S.listen_fd);
    if (S.conn_fd >= 0) close(S.conn_fd);
    S.listen_fd = -1;
    S.conn_fd = -1;
    if (S.wake[0] >= 0) {  /* the parent's pipe would wake the parent's manager too */
        close(S.wake[0]);
        close(S.wake[1]);
        if (pipe2(S.wake, O_CLOEXEC | O_NONBLOCK) != 0) S.wake[0] = S.wake[1] = -1;
    }
    start_manager();
}

__attribute__((constructor)) static void ckpt_init(void) {
    if (getenv("CKPT_DISABLE")) return;
    const char *s = getenv("CKPT_SIGNAL");
    S.signo = s ? atoi(s) : SIGRTMAX - 1;
    S.real_pid = raw_getpid();
    S.virt_pid = S.real_pid;
    S.virt_ppid = raw_getppid();
    S.starttime = read_starttime();
    S.threads = mmap(NULL, sizeof(struct saved_thread) * MAX_THREADS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    S.buf = mmap(NULL, CHUNK_PAGES * PAGE + MAPS_MAX, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (S.threads == MAP_FAILED || S.buf == MAP_FAILED) return;
    S.maps = (char *) S.buf + CHUNK_PAGES * PAGE;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&sa.sa_mask);
    sigaction(S.signo, &sa, NULL);
    const char *d = getenv("CKPT_DUMP_SIGNAL");
    S.dump_signo = d ? atoi(d) : SIGRTMAX - 2;
    if (S.dump_signo > 0 && pipe2(S.wake, O_CLOEXEC | O_NONBLOCK) == 0) {
        struct sigaction ds;
        memset(&ds, 0, sizeof ds);
        ds.sa_handler = on_dump_signal;
        ds.sa_flags = SA_RESTART;
        sigaction(S.dump_signo, &ds, NULL);
    }
    pthread_atfork(NULL, NULL, child_after_fork);
    start_manager();
}

/* a normal exit takes its socket along (a killed process leaves it: connecting then fails, which callers report) */
__attribute__((destructor)) static void ckpt_fini(void) {
    if (S.sock_path[0] && S.real_pid == raw_getpid()) unlink(S.sock_path);
}

/* ---------- C API (ckpt.h) ---------- */

static int add_cb(struct callback *cbs, int *n, ckpt_callback fn, void *arg) {
    pthread_mutex_lock(&S.cb_lock);
    int ok = *n < MAX_CALLBACKS;
    if (ok) cbs[(*n)++] = (struct callback) { fn, arg };
    pthread_mutex_unlock(&S.cb_lock);
    return ok ? 0 : -1;
}

int ckpt_on_checkpoint(ckpt_callback cb, void *arg) { return add_cb(S.pre, &S.npre, cb, arg); }
int ckpt_on_resume(ckpt_callback cb, void *arg) { return add_cb(S.resume, &S.nresume, cb, arg); }
int ckpt_on_restart(ckpt_callback cb, void *arg) { return add_cb(S.post, &S.npost, cb, arg); }
int ckpt_restarted(void) { return restarted(); }
int ckpt_generation(void) { return S.generation > 0 ? S.generation : __atomic_load_n(&S.restored, __ATOMIC_ACQUIRE); }
pid_t ckpt_real_pid(void) { return raw_getpid(); }

/* ---------- interposition: pid virtualisation and moved files ---------- */

pid_t getpid(void) { return S.virt_pid ? S.virt_pid : raw_getpid(); }
pid_t getppid(void) { return restarted() ? S.virt_ppid : raw_getppid(); }

/* Another process of the restored tree: its pid now for its original one, or 0. Entries are read each time: the
 * processes come back one after the other. */
/* The pid map of a restarted copy, looked up by the first wrapper that needs it when the program's threads run
 * before the manager thread's after_restart() has. */
static volatile struct ckpt_pidmap *pidmap(void) {
    volatile struct ckpt_pidmap *m = S.pidmap;
    if (!m && restarted()) m = S.pidmap = find_pidmap();
    return m;
}

static pid_t tree_real(pid_t pid) {
    volatile struct ckpt_pidmap *m = pidmap();
    if (!m || pid <= 0) return 0;
    uint32_t n = m->n < CKPT_PIDMAP_MAX ? m->n : CKPT_PIDMAP_MAX;
    for (uint32_t i = 0; i < n; i++) if (m->e[i].pid == pid) return m->e[i].real;
    return 0;
}

static pid_t tree_virt(pid_t real) {
    volatile struct ckpt_pidmap *m = pidmap();
    if (!m || real <= 0) return real;
    uint32_t n = m->n < CKPT_PIDMAP_MAX ? m->n : CKPT_PIDMAP_MAX;
    for (uint32_t i = 0; i < n; i++) if (m->e[i].real == real) return m->e[i].pid;
    return real;
}

/* the raw syscall: getpgid() itself is interposed below and calls real_of() */
static pid_t raw_getpgid(pid_t pid) { return (pid_t) syscall(SYS_getpgid, pid); }

static pid_t real_of(pid_t pid) {
    if (restarted() && S.virt_pid && pid == S.virt_pid) return raw_getpid();
    if (restarted() && S.virt_pid && pid == -S.virt_pid) return -raw_getpgid(0);
    pid_t r;
    if (restarted() && pid > 0 && (r = tree_real(pid)) > 0) return r;
    if (restarted() && pid < -1 && (r = tree_real(-pid)) > 0) return -r;  /* a group led by a tree process */
    return pid;
}

/* the other way: a pid now (of the tree, or our own) for its original one; anything else (errors included) as is */
static pid_t virt_of(pid_t real) {
    if (!restarted() || real <= 0) return real;
    if (S.virt_pid && real == raw_getpid()) return S.virt_pid;
    return tree_virt(real);
}

int kill(pid_t pid, int sig) { return (int) syscall(SYS_kill, real_of(pid), sig); }

/* the main thread's tid is the pid (translated with it); other tids are not virtualised */
int tgkill(pid_t tgid, pid_t tid, int sig) {
    pid_t r = real_of(tgid);
    return (int) syscall(SYS_tgkill, r, tid == tgid && tgid > 0 ? r : tid, sig);
}

/* as glibc's: si_pid is the sender's pid now, as kill(2) would report it */
int sigqueue(pid_t pid, int sig, const union sigval value) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = SI_QUEUE;
    si.si_pid = raw_getpid();
    si.si_uid = getuid();
    si.si_value = value;
    return (int) syscall(SYS_rt_sigqueueinfo, real_of(pid), sig, &si);
}

/* waiting for a child of the tree by its original pid, and reporting it under that pid */
pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru) {
    pid_t r = (pid_t) syscall(SYS_wait4, real_of(pid), status, options, ru);
    return virt_of(r);
}

int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options) {
    if ((idtype == P_PID || idtype == P_PGID) && id > 0) id = (id_t) real_of((pid_t) id);
    int r = (int) syscall(SYS_waitid, idtype, id, info, options, NULL);
    if (r == 0 && info && info->si_pid > 0) info->si_pid = virt_of(info->si_pid);
    return r;
}

/* process groups and sessions: pid arguments (0 is the caller) and results under the original pids */
pid_t getpgid(pid_t pid) { return virt_of(raw_getpgid(pid ? real_of(pid) : 0)); }
pid_t getpgrp(void) { return getpgid(0); }
pid_t getsid(pid_t pid) { return virt_of((pid_t) syscall(SYS_getsid, pid ? real_of(pid) : 0)); }
pid_t setsid(void) { return virt_of((pid_t) syscall(SYS_setsid)); }

int setpgid(pid_t pid, pid_t pgid) {
    return (int) syscall(SYS_setpgid, pid ? real_of(pid) : 0, pgid ? real_of(pgid) : 0);
}

pid_t waitpid(pid_t pid, int *status, int options) { return wait4(pid, status, options, NULL); }

pid_t wait(int *status) { return wait4(-1, status, 0, NULL); }

/* Returns the new path for a moved file, or the path itself. */
static const char *mapped(const char *path, char *tmp, size_t cap) {
    if (!path) return path;
    /* /proc/PID[/...] of an original pid of the tree (our own included): the process's directory now */
    if (restarted() && strncmp(path, "/proc/", 6) == 0 && path[6] >= '1' && path[6] <= '9') {
        const char *e = path + 6;
        long n = 0;
        while (*e >= '0' && *e <= '9' && n < (1L << 31)) n = n * 10 + (*e++ - '0');
        if ((*e == 0 || *e == '/') && n < (1L << 31)) {
            pid_t r = real_of((pid_t) n);
            if (r > 0 && r != (pid_t) n) {
                snprintf(tmp, cap, "/proc/%d%s", (int) r, e);
                return tmp;
            }
        }
    }
    if (!S.pathmap) return path;
    for (size_t i = 0; i < S.pathmap_len;) {
        const char *old = S.pathmap + i;
        size_t ol = strnlen(old, S.pathmap_len - i);
        if (i + ol + 1 >= S.pathmap_len) break;
        const char *nw = old + ol + 1;
        size_t nl = strnlen(nw, S.pathmap_len - i - ol - 1);
        if (ol && strncmp(path, old, ol) == 0 && (path[ol] == 0 || path[ol] == '/')) {
            snprintf(tmp, cap, "%s%s", nw, path + ol);
            return tmp;
        }
        i += ol + 1 + nl + 1;
    }
    return path;
}

/* The path a call on (dirfd, path) uses after a restart: an absolute one through mapped(); a relative one that
 * starts with a digit ("<pid>/status") and resolves in /proc (dirfd, or for AT_FDCWD the cwd, is /proc) as the
 * absolute "/proc/<pid>/status" through mapped(), so a dirfd of /proc finds the process's directory now as well.
 * Other relative paths are left alone: they resolve against a directory that was itself opened through the map.
 * errno stays as it was (the readlink may fail on a bad dirfd; the call itself then reports it). */
static const char *mapped_at(int dirfd, const char *path, char *tmp, size_t cap) {
    if (!path || !restarted()) return path;
    if (path[0] == '/') return mapped(path, tmp, cap);
    if (path[0] < '1' || path[0] > '9') return path;
    char link[64], target[8];
    if (dirfd == AT_FDCWD) snprintf(link, sizeof link, "/proc/self/cwd");
    else snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
    int e = errno;
    ssize_t n = raw_readlink(link, target, sizeof target);
    errno = e;
    if (n != 5 || memcmp(target, "/proc", 5) != 0) return path;
    char abs[4096];
    if (snprintf(abs, sizeof abs, "/proc/%s", path) >= (int) sizeof abs) return path;
    const char *m = mapped(abs, tmp, cap);
    return m == abs ? path : m;
}

/* open(2)'s third argument exists only with O_CREAT / O_TMPFILE */
#define MODE_ARG(flags, last)                               \
    mode_t mode = 0;                                        \
    if ((flags) & (O_CREAT | __O_TMPFILE)) {                \
        va_list ap;                                         \
        va_start(ap, last);                                 \
        mode = va_arg(ap, mode_t);                          \
        va_end(ap);                                         \
    }

static int open_mapped(int dirfd, const char *path, int flags, mode_t mode) {
    char tmp[4096];
    return (int) syscall(SYS_openat, dirfd, mapped_at(dirfd, path, tmp, sizeof tmp), flags, mode);
}

int open(const char *path, int flags, ...) {
    MODE_ARG(flags, flags)
    return open_mapped(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dirfd, const char *path, int flags, ...) {
    MODE_ARG(flags, flags)
    return open_mapped(dirfd, path, flags, mode);
}

/* glibc's definition of a wrapped call, looked up on first use (dlsym may allocate: fine, since the checkpoint path,
 * which must not, never calls a wrapper; the library's own look-ups are raw syscalls) */
static void *next_fn(void **slot, const char *name) {
    void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (!f) {
        int e = errno;
        f = dlsym(RTLD_NEXT, name);
        errno = e;
        __atomic_store_n(slot, f, __ATOMIC_RELEASE);
    }
    return f;
}

/* Defines NAME PARAMS as glibc's NAME called with ARGS, its path parameter PATH (resolved against DIRFD) mapped
 * first. glibc's own code (fopen, opendir, stat...) opens and looks up through internal calls that the open
 * wrappers never see, so each entry point a program calls is wrapped itself. */
#define PATH_WRAPPER(ret, name, fail, params, dirfd, path, args)  \
    static void *next_##name;                                     \
    ret name params {                                             \
        ret (*f) params = next_fn(&next_##name, #name);           \
        if (!f) { errno = ENOSYS; return fail; }                  \
        char tmp[4096];                                           \
        path = mapped_at(dirfd, path, tmp, sizeof tmp);           \
        return f args;                                            \
    }

PATH_WRAPPER(FILE *, fopen, NULL, (const char *path, const char *mode), AT_FDCWD, path, (path, mode))
FILE *fopen64(const char *path, const char *mode) __attribute__((alias("fopen")));
PATH_WRAPPER(DIR *, opendir, NULL, (const char *path), AT_FDCWD, path, (path))
PATH_WRAPPER(int, stat, -1, (const char *path, struct stat *st), AT_FDCWD, path, (path, st))
PATH_WRAPPER(int, stat64, -1, (const char *path, struct stat64 *st), AT_FDCWD, path, (path, st))
PATH_WRAPPER(int, lstat, -1, (const char *path, struct stat *st), AT_FDCWD, path, (path, st))
PATH_WRAPPER(int, lstat64, -1, (const char *path, struct stat64 *st), AT_FDCWD, path, (path, st))
PATH_WRAPPER(int, fstatat, -1, (int dirfd, const char *path, struct stat *st, int fl), dirfd, path, (dirfd, path, st, fl))
PATH_WRAPPER(int, fstatat64, -1, (int dirfd, const char *path, struct stat64 *st, int fl), dirfd, path, (dirfd, path, st, fl))
PATH_WRAPPER(int, statx, -1, (int dirfd, const char *path, int fl, unsigned int mask, struct statx *st), dirfd, path,
             (dirfd, path, fl, mask, st))
/* the entry points of programs built against glibc before 2.33, where stat() and friends were inline calls of these */
PATH_WRAPPER(int, __xstat, -1, (int ver, const char *path, struct stat *st), AT_FDCWD, path, (ver, path, st))
PATH_WRAPPER(int, __xstat64, -1, (int ver, const char *path, struct stat64 *st), AT_FDCWD, path, (ver, path, st))
PATH_WRAPPER(int, __lxstat, -1, (int ver, const char *path, struct stat *st), AT_FDCWD, path, (ver, path, st))
PATH_WRAPPER(int, __lxstat64, -1, (int ver, const char *path, struct stat64 *st), AT_FDCWD, path, (ver, path, st))
PATH_WRAPPER(int, __fxstatat, -1, (int ver, int dirfd, const char *path, struct stat *st, int fl), dirfd, path,
             (ver, dirfd, path, st, fl))
PATH_WRAPPER(int, __fxstatat64, -1, (int ver, int dirfd, const char *path, struct stat64 *st, int fl), dirfd, path,
             (ver, dirfd, path, st, fl))
PATH_WRAPPER(int, access, -1, (const char *path, int mode), AT_FDCWD, path, (path, mode))
PATH_WRAPPER(int, euidaccess, -1, (const char *path, int mode), AT_FDCWD, path, (path, mode))
PATH_WRAPPER(int, eaccess, -1, (const char *path, int mode), AT_FDCWD, path, (path, mode))
PATH_WRAPPER(int, faccessat, -1, (int dirfd, const char *path, int mode, int fl), dirfd, path, (dirfd, path, mode, fl))
PATH_WRAPPER(ssize_t, readlink, -1, (const char *path, char *buf, size_t n), AT_FDCWD, path, (path, buf, n))
PATH_WRAPPER(ssize_t, readlinkat, -1, (int dirfd, const char *path, char *buf, size_t n), dirfd, path, (dirfd, path, buf, n))
