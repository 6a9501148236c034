/*
 * ckpt-loader: brings a checkpointed process back from a restore plan (written by the Java side from a .ckpt;
 * layout in PROTOCOL.md, "Restore plan").
 *
 * Freestanding (no libc): it must unmap its own stack and move its own vDSO, and finally hands its thread to the
 * restored program, so nothing may depend on TLS or on memory the target reuses. It is linked at an address that
 * ordinary processes leave empty (0x200000000000) and runs on a stack in its own bss.
 *
 * Every thread is resumed through rt_sigreturn from a signal frame built here from the saved registers and XSAVE
 * area: the kernel then restores general registers, FPU/vector state and the signal mask in one step.
 *
 * A process tree comes from a tree plan: the loader creates the pipes the processes share (refilled with the bytes
 * they held), forks one loader per process in tree order (each a child of its original parent's), and each then
 * restores its own process from its own plan.
 *
 * usage: ckpt-loader PLAN [READY_PATH]
 *        ckpt-loader -t TREE_PLAN READY_DIR
 */
#include <stdint.h>
#include <stddef.h>
#include "protocol.h"

typedef long i64;
typedef unsigned long u64;

#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_stat 4
#define SYS_close 3
#define SYS_lseek 8
#define SYS_mmap 9
#define SYS_mprotect 10
#define SYS_munmap 11
#define SYS_rt_sigaction 13
#define SYS_pipe2 293
#define SYS_mremap 25
#define SYS_madvise 28
#define SYS_dup2 33
#define SYS_getpid 39
#define SYS_getppid 110
#define SYS_fork 57
#define SYS_socketpair 53
#define SYS_socket 41
#define SYS_bind 49
#define SYS_listen 50
#define SYS_connect 42
#define SYS_unlink 87
#define SYS_sendto 44
#define SYS_setsockopt 54
#define SYS_setpgid 109
#define SYS_setsid 112
#define SYS_clone 56
#define SYS_exit_group 231
#define SYS_fcntl 72
#define SYS_chdir 80
#define SYS_prctl 157
#define SYS_arch_prctl 158
#define SYS_set_tid_address 218
#define SYS_gettid 186
#define SYS_prlimit64 302
#define SYS_futex 202
#define SYS_wait4 61
#define SYS_rt_sigprocmask 14

#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_DIRECTORY 0200000
#define O_CLOEXEC 02000000
#define O_NONBLOCK 04000  /* and SOCK_NONBLOCK */
#define F_DUPFD 0
#define F_SETFD 2
#define F_SETFL 4
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FIXED_NOREPLACE 0x100000
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define ARCH_SET_FS 0x1002
#define PR_SET_NAME 15
#define PR_SET_MM 35
#define PR_SET_MM_START_BRK 6
#define PR_SET_MM_BRK 7

#define PAGE 4096UL
#define MAX_THREADS 256
#define MAX_AREAS 16384
#define MAX_SIGS 64
#define MAX_RLIMITS 32
#define MAX_FDS 1024
#define POOL (4UL << 20)
#define FP_MAX 16384
#define LOADER_FD_BASE 1000
#define TREE_FD_BASE 1100   /* pipes shared by the processes of a tree: 2 fds each, up to MAX_TREE_PIPES */
#define MAX_TREE_PROCS 256
#define MAX_TREE_PIPES 256
#define MAX_TREE_SOCKS 128  /* unix socket pairs whose both ends are in the tree: 2 fds each, after the pipes */
#define SOCK_FD_BASE (TREE_FD_BASE + 2 * MAX_TREE_PIPES)
#define MAX_TREE_FILES 128  /* open file descriptions several fds share (across fork or dup): 1 fd each, after the sockets */
#define FILE_FD_BASE (SOCK_FD_BASE + 2 * MAX_TREE_SOCKS)
#define MAX_TREE_FIFOS 32   /* FIFOs the processes hold, kept open read-write while they reopen theirs: after the files */
#define FIFO_FD_BASE (FILE_FD_BASE + MAX_TREE_FILES)
#define SOCK_QUEUE_MAX (1UL << 20)
#define F_SETPIPE_SZ 1031

enum { AREA_PRIVATE = 0, AREA_SHARED_FILE = 1, AREA_SHARED_ANON = 2, AREA_VDSO = 3, AREA_VVAR = 4,
       AREA_VVAR_VCLOCK = 5, AREA_VSYSCALL = 6, AREA_SKIP = 7 };
enum { FD_KEEP = 0, FD_FILE = 1, FD_PIPE_R = 2, FD_PIPE_W = 3, FD_NULL = 4, FD_DIR = 5, FD_SOCKPAIR = 6, FD_SHARED = 7,
       FD_LISTEN = 8, FD_DGRAM = 9 };

struct plan_header {
    char magic[8];
    uint32_t nthreads, nareas, nsigs, nrlimits, nfds, imagelen;
    int32_t pid, pad;
    uint64_t start_brk, brk;
    uint32_t cwdlen, commlen;
    uint64_t restored_addr;  /* libckpt.so's "restored" word, set before any thread runs (0: none) */
};
struct plan_thread { int32_t tid; uint32_t fp_size; uint64_t gp[27]; uint64_t sigmask; uint64_t xstate_bv; uint64_t tid_addr; };
struct plan_area { uint64_t start, end, pgoff; uint32_t prot, flags, kind, pathlen; uint64_t inode; };
struct plan_sig { uint32_t signo, pad; uint64_t handler, flags, restorer, mask; };
struct plan_rlimit { uint32_t resource, pad; uint64_t cur, max; };
struct plan_fd { int32_t fd, flags; int64_t pos; uint32_t type, pipe_id, pathlen, pad; };

struct thread { struct plan_thread t; uint8_t frame[FP_MAX + 2048] __attribute__((aligned(64))); };
struct area { struct plan_area a; const char *path; };
struct fd { struct plan_fd f; const char *path; };

static struct plan_header H;
static struct thread threads[MAX_THREADS];
static struct area areas[MAX_AREAS];
static struct plan_sig sigs[MAX_SIGS];
static struct plan_rlimit rlimits[MAX_RLIMITS];
static struct fd fds[MAX_FDS];
static char pool[POOL];
static u64 pool_used;
static char cwd[4096], comm[16], image_path[4096];
static int image_fd = -1;
static char maps[1 << 16];
static uint8_t scratch[1 << 16];
static int plan_fd = -1;
static char ready_path[4096];

/* tree plan: "CKPTTRE2", u32 nprocs, u32 npipes, u32 nsocks, u32 nfiles, u32 nfifos, u32 pad; then per process { i32 pid, i32 parent (index,
 * -1 root), u32 flags, u32 planlen, plan path padded to 8 }; per pipe { u32 pipe_id, u32 datalen, data padded to 8 };
 * per unix socket pair { u32 id_a, u32 id_b, u32 type, u32 alen, u32 blen, u32 pad, a's queue padded to 8, b's queue
 * padded to 8 } (queues: records { u32 length, bytes }); per shared file { u32 id, i32 flags, i64 pos, u32 type (FD_FILE,
 * FD_DIR), u32 pathlen, path padded to 8 }; per FIFO { u32 datalen, u32 pathlen, path padded to 8, data padded to 8 } */
#define TREE_SETSID 1u
#define TREE_SETPGID 2u
struct tree_proc { int32_t pid, parent; uint32_t flags, planlen; };
struct tree_pipe { uint32_t pipe_id, datalen; };
struct tree_file { uint32_t id; int32_t flags; int64_t pos; uint32_t type, pathlen; };
static struct tree_proc tprocs[MAX_TREE_PROCS];
static const char *tplan_paths[MAX_TREE_PROCS];
static uint32_t tpipe_ids[MAX_TREE_PIPES];
static uint32_t ntprocs, ntpipes, ntsocks, ntfiles, ntfifos;
static uint32_t tfile_ids[MAX_TREE_FILES];
static uint32_t tsock_ids[MAX_TREE_SOCKS][2];
static uint8_t sockq[SOCK_QUEUE_MAX];
static struct ckpt_pidmap *pidmap;
static i64 loader_parent;  /* in a tree: the pid of the loader that forked this one (0: the root) */
static uint8_t stack[1 << 16] __attribute__((aligned(16)));
uint8_t *loader_stack_top = stack + sizeof stack;
extern char __executable_start[], _end[];

/* ---------- syscalls ---------- */

static inline i64 sys6(i64 n, i64 a, i64 b, i64 c, i64 d, i64 e, i64 f) {
    i64 ret;
    register i64 r10 __asm__("r10") = d;
    register i64 r8 __asm__("r8") = e;
    register i64 r9 __asm__("r9") = f;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
    return ret;
}
#define sys1(n, a) sys6(n, (i64) (a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (i64) (a), (i64) (b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (i64) (a), (i64) (b), (i64) (c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (i64) (a), (i64) (b), (i64) (c), (i64) (d), 0, 0)
#define sys5(n, a, b, c, d, e) sys6(n, (i64) (a), (i64) (b), (i64) (c), (i64) (d), (i64) (e), 0)

void *memcpy(void *d, const void *s, u64 n) {
    uint8_t *a = d;
    const uint8_t *b = s;
    while (n--) *a++ = *b++;
    return d;
}
void *memset(void *d, int c, u64 n) {
    volatile uint8_t *a = d;
    while (n--) *a++ = (uint8_t) c;
    return d;
}
static u64 slen(const char *s) { u64 n = 0; while (s[n]) n++; return n; }
static int sprefix(const char *s, const char *p) { while (*p) if (*s++ != *p++) return 0; return 1; }
static int seq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }

static void out(const char *s) { sys3(SYS_write, 2, s, slen(s)); }
static void out_num(i64 v) {
    char b[24];
    int i = 23;
    b[i] = 0;
    int neg = v < 0;
    u64 u = neg ? (u64) -v : (u64) v;
    do { b[--i] = (char) ('0' + u % 10); u /= 10; } while (u);
    if (neg) b[--i] = '-';
    out(b + i);
}
static void out_hex(u64 v) {
    char b[20];
    int i = 19;
    b[i] = 0;
    do { b[--i] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
    out("0x");
    out(b + i);
}
/* Ends a loader that cannot restore its process; in a tree it leaves READY_PATH.failed, so 'ckpt restart' stops
 * waiting for that process at once. */
__attribute__((noreturn)) static void fail(void) {
    if (pidmap) {  /* the others wait for this process before they resume: let them go (and give up) */
        __atomic_store_n(&pidmap->failed, 1, __ATOMIC_RELEASE);
        sys6(SYS_futex, (i64) &pidmap->back, 1 /* FUTEX_WAKE */, 0x7fffffff, 0, 0, 0);
    }
    if (ready_path[0]) {
        char p[sizeof ready_path + 8];
        u64 n = slen(ready_path);
        memcpy(p, ready_path, n);
        memcpy(p + n, ".failed", 8);
        i64 fd = sys3(SYS_open, p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) sys1(SYS_close, fd);
    }
    sys1(SYS_exit_group, 127);
    __builtin_unreachable();
}

__attribute__((noreturn)) static void die(const char *msg, i64 err) {
    out("ckpt-loader: ");
    out(msg);
    if (err) { out(" (errno "); out_num(-err); out(")"); }
    out("\n");
    fail();
}

static void read_full(void *dst, u64 n) {
    uint8_t *p = dst;
    while (n > 0) {
        i64 r = sys3(SYS_read, plan_fd, p, n);
        if (r == -4) continue;
        if (r <= 0) die("restore plan is truncated", r < 0 ? r : 0);
        p += r;
        n -= (u64) r;
    }
}
static void skip_pad(u64 n) {
    u64 pad = (8 - (n & 7)) & 7;
    uint8_t b[8];
    if (pad) read_full(b, pad);
}
static const char *read_string(u64 n) {
    if (n >= 4096 || pool_used + n + 1 > POOL) die("restore plan: string too long", 0);
    char *s = pool + pool_used;
    read_full(s, n);
    s[n] = 0;
    pool_used += n + 1;
    skip_pad(n);
    return s;
}
static u64 parse_hex(const char **p) {
    u64 v = 0;
    for (;;) {
        char c = **p;
        if (c >= '0' && c <= '9') v = v * 16 + (u64) (c - '0');
        else if (c >= 'a' && c <= 'f') v = v * 16 + (u64) (c - 'a' + 10);
        else break;
        (*p)++;
    }
    return v;
}

/* ---------- plan ---------- */

static void read_plan(void) {
    read_full(&H, sizeof H);
    if (!sprefix(H.magic, "CKPTPLN2")) die("not a ckpt restore plan", 0);
    if (H.nthreads == 0 || H.nthreads > MAX_THREADS || H.nareas > MAX_AREAS || H.nsigs > MAX_SIGS
        || H.nrlimits > MAX_RLIMITS || H.nfds > MAX_FDS || H.cwdlen >= sizeof cwd || H.commlen >= sizeof comm
        || H.imagelen >= sizeof image_path)
        die("restore plan: counts out of range", 0);
    read_full(cwd, H.cwdlen);
    skip_pad(H.cwdlen);
    read_full(comm, H.commlen);
    skip_pad(H.commlen);
    read_full(image_path, H.imagelen);
    skip_pad(H.imagelen);
    if (H.imagelen) {  /* page runs refer to the uncompressed page blocks of the .ckpt itself */
        i64 f = sys2(SYS_open, image_path, O_RDONLY | O_CLOEXEC);
        if (f < 0) die("cannot open the image the plan refers to", f);
        image_fd = (int) sys3(SYS_fcntl, f, F_DUPFD, LOADER_FD_BASE + 2);
        sys1(SYS_close, f);
    }
    for (u64 i = 0; i < H.nthreads; i++) {
        struct thread *t = &threads[i];
        read_full(&t->t, sizeof t->t);
        if (t->t.fp_size > FP_MAX) die("restore plan: FPU state too large", 0);
        /* the XSAVE area goes at frame + 1024 (64-aligned); the frame header is filled in later */
        read_full(t->frame + 1024, t->t.fp_size);
        skip_pad(t->t.fp_size);
    }
    for (u64 i = 0; i < H.nareas; i++) {
        read_full(&areas[i].a, sizeof areas[i].a);
        areas[i].path = read_string(areas[i].a.pathlen);
    }
    read_full(sigs, H.nsigs * sizeof sigs[0]);
    read_full(rlimits, H.nrlimits * sizeof rlimits[0]);
    for (u64 i = 0; i < H.nfds; i++) {
        read_full(&fds[i].f, sizeof fds[i].f);
        fds[i].path = read_string(fds[i].f.pathlen);
    }
}

/* ---------- own address space ---------- */

struct own { u64 start, end; char name[32]; };
static struct own own_maps[64];
static int n_own;

static void read_own_maps(void) {
    i64 fd = sys2(SYS_open, "/proc/self/maps", O_RDONLY);
    if (fd < 0) die("cannot read /proc/self/maps", fd);
    u64 n = 0;
    for (;;) {
        i64 r = sys3(SYS_read, fd, maps + n, sizeof maps - 1 - n);
        if (r <= 0) break;
        n += (u64) r;
    }
    sys1(SYS_close, fd);
    maps[n] = 0;
    n_own = 0;
    for (const char *p = maps; *p && n_own < 64;) {
        struct own *o = &own_maps[n_own++];
        o->start = parse_hex(&p);
        p++;
        o->end = parse_hex(&p);
        int spaces = 0;
        while (*p && *p != '\n' && spaces < 5) if (*p++ == ' ') spaces++;
        while (*p == ' ') p++;
        int k = 0;
        while (*p && *p != '\n') { if (k < 31) o->name[k++] = *p; p++; }
        o->name[k] = 0;
        if (*p) p++;
    }
}

static struct area *target_named(uint32_t kind) {
    for (u64 i = 0; i < H.nareas; i++) if (areas[i].a.kind == kind) return &areas[i];
    return 0;
}

/* Moves the loader's vDSO and vvar pages to where the program had them: its code calls the vDSO through pointers
 * kept in its own memory. The kernel gives every process the same layout between them, so one delta fits all;
 * a scratch address first, so no move lands on another special mapping still in place. */
static void move_vdso(void) {
    struct area *tv = target_named(AREA_VDSO);
    if (!tv) return;
    u64 own_vdso = 0;
    for (int i = 0; i < n_own; i++) if (seq(own_maps[i].name, "[vdso]")) own_vdso = own_maps[i].start;
    if (!own_vdso) return;
    if (own_vdso == tv->a.start) return;
    u64 scratch_base = 0x210000000000UL;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n_own; i++) {
            struct own *o = &own_maps[i];
            if (!(seq(o->name, "[vdso]") || sprefix(o->name, "[vvar"))) continue;
            u64 from = pass == 0 ? o->start : o->start - own_vdso + scratch_base;
            u64 to = pass == 0 ? o->start - own_vdso + scratch_base : o->start - own_vdso + tv->a.start;
            i64 r = sys5(SYS_mremap, from, o->end - o->start, o->end - o->start, MREMAP_MAYMOVE | MREMAP_FIXED, to);
            if (r < 0) die("cannot move the vDSO to the program's address", r);
        }
    }
}

static void unmap_own_stack(void) {
    for (int i = 0; i < n_own; i++) {
        if (seq(own_maps[i].name, "[stack]") || seq(own_maps[i].name, "[heap]"))
            sys2(SYS_munmap, own_maps[i].start, own_maps[i].end - own_maps[i].start);
    }
}

/* ---------- memory ---------- */

/* A private mapping of a file (program text, libraries) starts from the file when it is still the same file (inode)
 * (inode, when the image knows it) and long enough: images that keep only changed pages (CRIU) need that, and the
 * image's pages go on top anyway. */
static int map_private_file(struct plan_area *a, const char *path) {
    i64 f = sys2(SYS_open, path, O_RDONLY | O_CLOEXEC);
    if (f < 0) return 0;
    uint64_t st[18];
    int ok = sys2(5 /* fstat */, f, st) == 0 && (!a->inode || st[1] == a->inode) && (u64) st[6] >= a->pgoff + (a->end - a->start);
    i64 r = -1;
    if (ok) r = sys6(SYS_mmap, a->start, a->end - a->start, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED_NOREPLACE, f, a->pgoff);
    sys1(SYS_close, f);
    return r == (i64) a->start;
}

static void map_areas(void) {
    u64 ls = (u64) __executable_start & ~(PAGE - 1), le = ((u64) _end + PAGE - 1) & ~(PAGE - 1);
    for (u64 i = 0; i < H.nareas; i++) {
        struct plan_area *a = &areas[i].a;
        if (a->kind >= AREA_VDSO) continue;
        if (a->start < le && ls < a->end) {
            out("ckpt-loader: area ");
            out_hex(a->start);
            out(" overlaps the loader itself\n");
            fail();
        }
        u64 len = a->end - a->start;
        i64 r;
        if (a->kind == AREA_SHARED_FILE) {
            i64 f = sys2(SYS_open, areas[i].path, (a->prot & PROT_WRITE) ? O_RDWR : O_RDONLY);
            if (f >= 0) {
                r = sys6(SYS_mmap, a->start, len, a->prot, MAP_SHARED | MAP_FIXED_NOREPLACE, f, a->pgoff);
                sys1(SYS_close, f);
                if (r == (i64) a->start) continue;
            }
            a->kind = AREA_PRIVATE;  /* file gone: keep the saved content as private memory */
        }
        if (a->kind == AREA_PRIVATE && areas[i].path[0] == '/' && map_private_file(a, areas[i].path)) continue;
        int flags = (a->kind == AREA_SHARED_ANON ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
        r = sys6(SYS_mmap, a->start, len, PROT_READ | PROT_WRITE, flags, -1, 0);
        if (r != (i64) a->start) {
            out("ckpt-loader: cannot map ");
            out_hex(a->start);
            out("-");
            out_hex(a->end);
            out(" ");
            out(areas[i].path);
            out(" (errno ");
            out_num(r < 0 ? -r : 0);
            out(")\n");
            fail();
        }
    }
}

static int writable_target(u64 addr, u64 len) {
    for (u64 i = 0; i < H.nareas; i++) {
        struct plan_area *a = &areas[i].a;
        if (a->start <= addr && addr + len <= a->end) return a->kind == AREA_PRIVATE || a->kind == AREA_SHARED_ANON;
    }
    return 0;
}

static void pread_full(void *dst, u64 n, i64 off) {
    uint8_t *p = dst;
    while (n > 0) {
        i64 r = sys4(17 /* pread64 */, image_fd, p, n, off);
        if (r == -4) continue;
        if (r <= 0) die("image ended before a page run", r < 0 ? r : 0);
        p += r;
        n -= (u64) r;
        off += r;
    }
}

/* Allocates the pages of a run before they are read into: faulting them in one by one from inside pread costs
 * twice as long where page faults are dear (measured 4.1 s against 2.0 s for 1 GiB on a PVM guest) and the same
 * elsewhere (the kernel zeroes a new page either way). Only runs that are read are populated: a sparse area stays
 * sparse. Kernels before 5.14 refuse the advice (EINVAL); the pages then fault in as before. */
#define MADV_POPULATE_WRITE 23
static void populate(u64 addr, u64 len) {
    sys3(SYS_madvise, addr, len, MADV_POPULATE_WRITE);
}

static void load_pages(void) {
    for (;;) {
        uint64_t run[3];
        read_full(run, sizeof run);
        if (run[1] == 0) break;
        u64 len = run[1] * PAGE;
        if (run[1] > (1UL << 36) / PAGE) die("restore plan: page run too long", 0);
        if ((i64) run[2] >= 0) {  /* in the image file, not in the plan */
            if (image_fd < 0) die("restore plan: page run refers to the image, but names none", 0);
            if (writable_target(run[0], len)) {
                populate(run[0], len);
                pread_full((void *) run[0], len, (i64) run[2]);
            }
            continue;
        }
        if (writable_target(run[0], len)) {
            populate(run[0], len);
            read_full((void *) run[0], len);
        } else {  /* pages of an area mapped from its file: the file has them */
            while (len) {
                u64 n = len < sizeof scratch ? len : sizeof scratch;
                read_full(scratch, n);
                len -= n;
            }
        }
    }
}

static void protect_areas(void) {
    for (u64 i = 0; i < H.nareas; i++) {
        struct plan_area *a = &areas[i].a;
        if (a->kind == AREA_PRIVATE || a->kind == AREA_SHARED_ANON) {
            i64 r = sys3(SYS_mprotect, a->start, a->end - a->start, a->prot);
            if (r < 0) die("mprotect failed", r);
        }
    }
}

/* ---------- process state ---------- */

static void place(i64 tmp, int fd) {
    if (tmp < 0) return;
    if (tmp != fd) {
        sys2(SYS_dup2, tmp, fd);
        sys1(SYS_close, tmp);
    }
}

#define S_IFMT 0170000
#define S_IFIFO 0010000
#define S_IFSOCK 0140000
/* The S_IFMT bits of what path names now (0 when nothing does). */
static uint32_t file_type(const char *path) {
    uint8_t st[144];  /* x86_64 struct stat */
    uint32_t mode = 0;
    if (sys2(SYS_stat, path, st) == 0) memcpy(&mode, st + 24, 4);  /* st_mode */
    return mode & S_IFMT;
}

/* A listener (TCP or unix: listening again, backlog in pipe_id) or a UDP socket bound again to the address the plan
 * carries as the fd's "path" (a struct sockaddr_in/_in6/_un; the socket type in pos); /dev/null with a warning when
 * the address cannot be had (taken, gone). */
static i64 rebind(const struct fd *d) {
    const struct plan_fd *f = &d->f;
    uint16_t family;
    memcpy(&family, d->path, 2);
    i64 t = sys3(SYS_socket, family, f->pos | (f->flags & O_NONBLOCK), 0);
    if (t >= 0 && family == 1 /* AF_UNIX */ && f->pathlen > 3 && d->path[2] != 0) {
        /* the socket file its program left behind: removed only when it is a socket (stat) and nobody answers on
         * it (ECONNREFUSED), so neither another file nor a live listener elsewhere is ever taken over */
        i64 probe = file_type(d->path + 2) == S_IFSOCK ? sys3(SYS_socket, 1, f->pos, 0) : -1;
        if (probe >= 0 && sys3(SYS_connect, probe, d->path, f->pathlen) == -111) sys1(SYS_unlink, d->path + 2);
        if (probe >= 0) sys1(SYS_close, probe);
    }
    /* SO_REUSEADDR: the program's earlier connections may linger in TIME_WAIT on the port. If the program did not
     * set it on its own socket they still keep the port (the kernel wants it on both), as they would from the
     * program's own restart: the bind then fails and the fd becomes /dev/null with the warning below. */
    int on = 1;
    i64 e = t < 0 ? t : sys5(SYS_setsockopt, t, 1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, &on, 4);
    if (e >= 0) e = sys3(SYS_bind, t, d->path, f->pathlen);
    if (e >= 0 && f->type == FD_LISTEN) e = sys2(SYS_listen, t, f->pipe_id);
    if (e >= 0) return t;
    if (t >= 0) sys1(SYS_close, t);
    out("ckpt-loader: warning: cannot bind fd ");
    out_num(f->fd);
    out(" to its address again (errno ");
    out_num(-e);
    out("), using /dev/null\n");
    return sys2(SYS_open, "/dev/null", O_RDWR);
}

/* Opens a file a descriptor had open, at its offset; /dev/null with a warning when it cannot. */
static i64 reopen(const char *path, int32_t flags, uint32_t type, int64_t pos, int32_t fd) {
    i64 t = sys3(SYS_open, path, (flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC)) | (type == FD_DIR ? O_DIRECTORY : 0), 0);
    if (t < 0) {
        out("ckpt-loader: warning: cannot reopen ");
        out(path);
        out(" as fd ");
        out_num(fd);
        out(", using /dev/null\n");
        return sys2(SYS_open, "/dev/null", O_RDWR);
    }
    if (pos > 0) sys3(SYS_lseek, t, pos, 0);
    return t;
}

static void restore_fds(void) {
    /* fds the program had open are replaced; 0-2 of type KEEP stay what the loader was given (the terminal) */
    for (u64 i = 0; i < H.nfds; i++) {
        struct plan_fd *f = &fds[i].f;
        if (f->fd >= LOADER_FD_BASE && f->fd < LOADER_FD_BASE + 4) continue;
        i64 t = -1;
        switch (f->type) {
        case FD_KEEP: continue;
        case FD_FILE:
        case FD_DIR:
            t = reopen(fds[i].path, f->flags, f->type, f->pos, f->fd);
            break;
        case FD_LISTEN:
        case FD_DGRAM:
            t = rebind(&fds[i]);
            break;
        case FD_SHARED:  /* one open file description of the tree's (shared offset): a duplicate of it */
            for (u64 k = 0; k < ntfiles && t < 0; k++) {
                if (tfile_ids[k] == f->pipe_id) t = sys3(SYS_fcntl, FILE_FD_BASE + k, F_DUPFD, LOADER_FD_BASE + 8);
            }
            if (t < 0) t = sys2(SYS_open, "/dev/null", O_RDWR);
            break;
        case FD_PIPE_R:
        case FD_PIPE_W: {
            /* a pipe with both ends in the process is made once, at its first end */
            int done = 0;
            for (u64 j = 0; j < i; j++) if (fds[j].f.pipe_id == f->pipe_id && (fds[j].f.type == FD_PIPE_R || fds[j].f.type == FD_PIPE_W)) done = 1;
            if (done) continue;
            i64 r = -1, w = -1;
            for (u64 k = 0; k < ntpipes; k++) {  /* shared with other processes of the tree (and refilled) */
                if (tpipe_ids[k] != f->pipe_id) continue;
                r = sys3(SYS_fcntl, TREE_FD_BASE + 2 * k, F_DUPFD, LOADER_FD_BASE + 8);
                w = sys3(SYS_fcntl, TREE_FD_BASE + 2 * k + 1, F_DUPFD, LOADER_FD_BASE + 8);
            }
            if (r < 0 || w < 0) {
                int p[2];
                if (sys2(SYS_pipe2, p, 0) < 0) break;
                r = sys3(SYS_fcntl, p[0], F_DUPFD, LOADER_FD_BASE + 8);
                w = sys3(SYS_fcntl, p[1], F_DUPFD, LOADER_FD_BASE + 8);
                sys1(SYS_close, p[0]);
                sys1(SYS_close, p[1]);
            }
            int rused = 0, wused = 0;
            for (u64 j = i; j < H.nfds; j++) {
                if (fds[j].f.pipe_id != f->pipe_id) continue;
                if (fds[j].f.type == FD_PIPE_R) { sys2(SYS_dup2, r, fds[j].f.fd); rused = 1; }
                if (fds[j].f.type == FD_PIPE_W) { sys2(SYS_dup2, w, fds[j].f.fd); wused = 1; }
            }
            (void) rused;
            (void) wused;
            sys1(SYS_close, r);
            sys1(SYS_close, w);
            continue;
        }
        case FD_SOCKPAIR:
            for (u64 k = 0; k < ntsocks && t < 0; k++) {
                for (int e = 0; e < 2; e++) {
                    if (tsock_ids[k][e] == f->pipe_id) { t = sys3(SYS_fcntl, SOCK_FD_BASE + 2 * k + e, F_DUPFD, LOADER_FD_BASE + 8); break; }
                }
            }
            if (t < 0) t = sys2(SYS_open, "/dev/null", O_RDWR);
            break;
        default:
            t = sys2(SYS_open, "/dev/null", O_RDWR);
        }
        place(t, f->fd);
    }
    /* the tree's pipe ends this process does not hold must go, or readers elsewhere never see EOF */
    for (u64 k = 0; k < 2 * ntpipes; k++) sys1(SYS_close, TREE_FD_BASE + k);
    for (u64 k = 0; k < 2 * ntsocks; k++) sys1(SYS_close, SOCK_FD_BASE + k);
    for (u64 k = 0; k < ntfiles; k++) sys1(SYS_close, FILE_FD_BASE + k);
    for (u64 k = 0; k < ntfifos; k++) sys1(SYS_close, FIFO_FD_BASE + k);
}

struct k_sigaction { uint64_t handler, flags, restorer, mask; };

static void restore_signals(void) {
    for (u64 i = 0; i < H.nsigs; i++) {
        struct plan_sig *s = &sigs[i];
        if (s->signo == 9 || s->signo == 19 || s->signo == 0 || s->signo > 64) continue;
        struct k_sigaction k = { s->handler, s->flags, s->restorer, s->mask };
        sys4(SYS_rt_sigaction, s->signo, &k, 0, 8);
    }
}

static void restore_misc(void) {
    if (H.cwdlen) sys1(SYS_chdir, cwd);
    for (u64 i = 0; i < H.nrlimits; i++) {
        uint64_t l[2] = { rlimits[i].cur, rlimits[i].max };
        sys4(SYS_prlimit64, 0, rlimits[i].resource, l, 0);
    }
    if (H.brk && H.start_brk) {
        /* brk first: the kernel checks start_brk <= brk against the loader's own values */
        sys5(SYS_prctl, PR_SET_MM, PR_SET_MM_BRK, H.brk, 0, 0);
        sys5(SYS_prctl, PR_SET_MM, PR_SET_MM_START_BRK, H.start_brk, 0, 0);
        sys5(SYS_prctl, PR_SET_MM, PR_SET_MM_BRK, H.brk, 0, 0);
    }
    if (H.commlen) sys2(SYS_prctl, PR_SET_NAME, comm);
}

/* ---------- threads ---------- */

enum { R15, R14, R13, R12, RBP, RBX, R11, R10, R9, R8, RAX, RCX, RDX, RSI, RDI, ORIG_RAX, RIP, CS, EFLAGS, RSP, SS,
       FS_BASE, GS_BASE, DS, ES, FS, GS };

/* Builds struct rt_sigframe (pretcode, ucontext, siginfo) in front of the XSAVE area at frame + 1024 and returns
 * the stack pointer rt_sigreturn expects (the address of the ucontext). */
static u64 build_frame(struct thread *t) {
    uint64_t *g = t->t.gp;
    uint8_t *f = t->frame + 1024 - 8 - 448;  /* 8 pretcode + ucontext (312) + siginfo (128), rounded */
    memset(f, 0, 8 + 448);
    uint64_t *uc = (uint64_t *) (f + 8);
    uc[0] = 0x7;  /* UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS */
    uc[1] = 0;
    uc[2] = 0;       /* uc_stack.ss_sp */
    uc[3] = 2;       /* uc_stack.ss_flags = SS_DISABLE */
    uc[4] = 0;
    uint64_t *sc = uc + 5;  /* struct sigcontext */
    uint64_t rip = g[RIP], rax = g[RAX];
    if (rax == 219) {  /* interrupted in restart_syscall: its restart block stayed in the old kernel task */
        rax = (uint64_t) -4;  /* -EINTR */
        rip += 2;
    }
    if ((i64) g[ORIG_RAX] >= 0) {
        /* stopped inside a syscall (ptrace capture, e.g. CRIU): redo it as the kernel would on return, except
         * restart blocks, which stayed in the old task: those report EINTR */
        i64 r = (i64) rax;
        if (r == -512 || r == -513 || r == -514) { rax = g[ORIG_RAX]; rip -= 2; }
        else if (r == -516) rax = (uint64_t) -4;
    }
    sc[0] = g[R8]; sc[1] = g[R9]; sc[2] = g[R10]; sc[3] = g[R11]; sc[4] = g[R12]; sc[5] = g[R13]; sc[6] = g[R14];
    sc[7] = g[R15]; sc[8] = g[RDI]; sc[9] = g[RSI]; sc[10] = g[RBP]; sc[11] = g[RBX]; sc[12] = g[RDX];
    sc[13] = rax; sc[14] = g[RCX]; sc[15] = g[RSP]; sc[16] = rip; sc[17] = g[EFLAGS];
    uint16_t cs = g[CS] ? (uint16_t) g[CS] : 0x33, ss = g[SS] ? (uint16_t) g[SS] : 0x2b;
    sc[18] = (uint64_t) cs | ((uint64_t) ss << 48);
    sc[19] = sc[20] = sc[21] = sc[22] = 0;
    uint8_t *fp = t->frame + 1024;
    if (t->t.fp_size >= 512) {
        if (t->t.fp_size >= 576) {
            /* fx_sw_bytes tell the kernel this is an XSAVE area of fp_size bytes, ended by MAGIC2; a signal frame's
             * copy has them, an area from elsewhere (ptrace, CRIU) gets them here */
            uint32_t magic1 = 0x46505853u, ext = t->t.fp_size + 4, size = t->t.fp_size, magic2 = 0x46505845u, have;
            memcpy(&have, fp + 464, 4);
            if (have != magic1) {
                uint64_t feat = t->t.xstate_bv | 3;
                memcpy(fp + 464, &magic1, 4);
                memcpy(fp + 468, &ext, 4);
                memcpy(fp + 472, &feat, 8);
                memcpy(fp + 480, &size, 4);
            }
            memcpy(fp + t->t.fp_size, &magic2, 4);
        } else {
            memset(fp + 464, 0, 48);
        }
        sc[23] = (uint64_t) fp;
    }
    uc[5 + 32] = t->t.sigmask;  /* uc_sigmask right after the 256-byte sigcontext */
    return (u64) uc;
}

/* clone(2) for a restored thread: the child starts on its frame and executes rt_sigreturn at once. */
__attribute__((naked)) static i64 clone_into_frame(u64 flags, u64 sp, u64 ptid, u64 ctid, u64 tls) {
    __asm__ volatile(
        "mov %rcx, %r10\n"
        "mov $56, %eax\n"
        "syscall\n"
        "test %rax, %rax\n"
        "jnz 1f\n"
        "mov $15, %eax\n"
        "syscall\n"
        "hlt\n"
        "1: ret\n");
}

__attribute__((noreturn, naked)) static void sigreturn_on(u64 sp) {
    __asm__ volatile(
        "mov %rdi, %rsp\n"
        "mov $15, %eax\n"
        "syscall\n"
        "hlt\n");
}

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000

/* Tells whoever started the loader that the process is back and under which pid: READY_PATH.tmp renamed to
 * READY_PATH, so a reader never sees half a line. */
static void write_ready(i64 pid) {
    if (!ready_path[0]) return;
    char tmp[sizeof ready_path + 8];
    u64 n = slen(ready_path);
    memcpy(tmp, ready_path, n);
    memcpy(tmp + n, ".tmp", 5);
    i64 fd = sys3(SYS_open, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    char b[32];
    int i = 31;
    b[i--] = '\n';
    u64 u = (u64) pid;
    do { b[i--] = (char) ('0' + u % 10); u /= 10; } while (u);
    sys3(SYS_write, fd, b + i + 1, 31 - i);
    sys1(SYS_close, fd);
    sys2(82 /* rename */, tmp, ready_path);
}

/* Images from elsewhere do not say where glibc keeps a thread's tid (struct pthread, at the thread pointer): look
 * for the old tid there, as libckpt.so does, past the TCB header (pointers, never a small int). */
static u64 find_tid_slot(struct plan_thread *t) {
    u64 fs = t->gp[FS_BASE];
    if (!fs || !writable_target(fs + 0x100, 0x700)) return 0;
    for (u64 off = 0x100; off < 0x800; off += 4) {
        if (*(int32_t *) (fs + off) == t->tid) return fs + off;
    }
    return 0;
}

/* Every process of the tree waits here, restored but not yet running its program, until all are: a program running
 * early could signal a process whose loader is still at work (default actions then: a SIGUSR1 ended it, and its
 * parent waited for its ready file in vain) or look up a pid the map does not have yet. Signals sent to a loader
 * stay pending (blocked from its start) and reach the program's own handlers. The tree gives up together: on a
 * loader that failed (it sets `failed`), and, checked every 100 ms, on a loader that ended otherwise (killed from
 * outside): its children see their parent change, its parent sees it exit (until the program runs, a loader's
 * only children are the loaders it forked). */
static void await_tree(void) {
    uint32_t n = pidmap->n;
    if (__atomic_add_fetch(&pidmap->back, 1, __ATOMIC_ACQ_REL) >= n) {
        sys6(SYS_futex, (i64) &pidmap->back, 1 /* FUTEX_WAKE */, 0x7fffffff, 0, 0, 0);
        return;
    }
    for (;;) {
        /* first: once all are back, a process may run (and end) already, which is no failure */
        uint32_t b = __atomic_load_n(&pidmap->back, __ATOMIC_ACQUIRE);
        if (b >= n) return;
        if (__atomic_load_n(&pidmap->failed, __ATOMIC_ACQUIRE)) die("another process of the tree failed to restore", 0);
        if (loader_parent && sys1(SYS_getppid, 0) != loader_parent) die("the parent's loader ended", 0);
        if (sys4(SYS_wait4, -1, 0, 1 /* WNOHANG */ | 0x40000000 /* __WALL */, 0) > 0) die("a child's loader ended", 0);
        struct { i64 s, ns; } slice = { 0, 100000000 };
        sys6(SYS_futex, (i64) &pidmap->back, 0 /* FUTEX_WAIT, shared: the map is */, b, (i64) &slice, 0, 0);
    }
}

__attribute__((noreturn)) static void resume(void) {
    u64 leader = 0;
    for (u64 i = 0; i < H.nthreads; i++) if (threads[i].t.tid == H.pid) leader = i;
    u64 sps[MAX_THREADS];
    for (u64 i = 0; i < H.nthreads; i++) {
        sps[i] = build_frame(&threads[i]);
        if (!threads[i].t.tid_addr) threads[i].t.tid_addr = find_tid_slot(&threads[i].t);
    }
    await_tree();
    for (u64 i = 0; i < H.nthreads; i++) {
        if (i == leader) continue;
        struct plan_thread *t = &threads[i].t;
        u64 flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS;
        if (t->tid_addr) flags |= CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
        i64 r = clone_into_frame(flags, sps[i], t->tid_addr, t->tid_addr, t->gp[FS_BASE]);
        if (r < 0) die("cannot create a thread", r);
    }
    sys1(SYS_close, plan_fd);
    if (image_fd >= 0) sys1(SYS_close, image_fd);
    write_ready(sys1(SYS_getpid, 0));
    struct plan_thread *lt = &threads[leader].t;
    if (lt->tid_addr) {
        sys1(SYS_set_tid_address, lt->tid_addr);
        *(volatile int32_t *) lt->tid_addr = (int32_t) sys1(SYS_gettid, 0);
    }
    sys2(SYS_arch_prctl, ARCH_SET_FS, lt->gp[FS_BASE]);
    sigreturn_on(sps[leader]);
}

/* ---------- entry ---------- */

/* The page where every process of the restored tree finds the others' pids now (protocol.h, libckpt.so's kill and
 * waitpid use it); shared, so each process's entry reaches all of them. */
static void map_pidmap(void) {
    if (ntprocs > CKPT_PIDMAP_MAX) die("tree plan: too many processes for the pid map", 0);
    i64 r = sys6(SYS_mmap, CKPT_PIDMAP_ADDR, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (r != (i64) CKPT_PIDMAP_ADDR) die("cannot map the pid map", r < 0 ? r : 0);
    pidmap = (struct ckpt_pidmap *) CKPT_PIDMAP_ADDR;
    memcpy(pidmap->magic, "CKPTPIDS", 8);
}

static void open_plan(const char *path) {
    i64 fd = sys2(SYS_open, path, O_RDONLY);
    if (fd < 0) die("cannot open the restore plan", fd);
    plan_fd = (int) sys3(SYS_fcntl, fd, F_DUPFD, LOADER_FD_BASE);
    sys1(SYS_close, fd);
}

/* Writes the next datalen bytes of the plan (then its padding) into a pipe through fd w (-1: skips them). */
static void refill_pipe(int w, u64 datalen) {
    if (w >= 0 && datalen > 65536) {  /* room for everything at once: nobody reads yet */
        i64 e = sys3(SYS_fcntl, w, F_SETPIPE_SZ, datalen);
        if (e < 0) die("cannot grow a pipe for its saved bytes", e);
    }
    for (u64 left = datalen; left > 0;) {
        u64 n = left < sizeof scratch ? left : sizeof scratch;
        read_full(scratch, n);
        for (u64 off = 0; w >= 0 && off < n;) {
            i64 r = sys3(SYS_write, w, scratch + off, n - off);
            if (r == -4) continue;
            if (r <= 0) die("cannot refill a pipe", r);
            off += (u64) r;
        }
        left -= n;
    }
    skip_pad(datalen);
}

/* Creates the tree's pipes at TREE_FD_BASE + 2k (read end) and + 1 (write end), filled with their saved bytes. */
static void make_tree_pipes(void) {
    for (u64 k = 0; k < ntpipes; k++) {
        struct tree_pipe tp;
        read_full(&tp, sizeof tp);
        tpipe_ids[k] = tp.pipe_id;
        int p[2];
        i64 e = sys2(SYS_pipe2, p, 0);
        if (e < 0) die("cannot create a pipe", e);
        sys2(SYS_dup2, p[0], TREE_FD_BASE + 2 * k);
        sys2(SYS_dup2, p[1], TREE_FD_BASE + 2 * k + 1);
        sys1(SYS_close, p[0]);
        sys1(SYS_close, p[1]);
        refill_pipe((int) (TREE_FD_BASE + 2 * k + 1), tp.datalen);
    }
}

/* Sends one end's saved receive queue from the other end, message by message; the send buffer is grown first so the
 * whole queue fits (nobody reads yet). */
static void refill_queue(int from, u64 len) {
    if (len > SOCK_QUEUE_MAX) die("tree plan: socket queue too large", 0);
    read_full(sockq, len);
    skip_pad(len);
    if (!len) return;
    int want = (int) (len * 2 + 65536);
    sys5(SYS_setsockopt, from, 1 /* SOL_SOCKET */, 32 /* SO_SNDBUFFORCE */, &want, 4);
    sys5(SYS_setsockopt, from, 1, 7 /* SO_SNDBUF */, &want, 4);
    for (u64 off = 0; off + 4 <= len;) {
        uint32_t n;
        memcpy(&n, sockq + off, 4);
        if (off + 4 + n > len) die("tree plan: socket queue record out of range", 0);
        i64 w;
        do w = sys6(SYS_sendto, from, (i64) (sockq + off + 4), n, 0x40 /* MSG_DONTWAIT */, 0, 0); while (w == -4);
        if (w != (i64) n) {
            out("ckpt-loader: warning: a unix socket's queue could not be refilled completely (errno ");
            out_num(w < 0 ? -w : 0);
            out(")\n");
            return;
        }
        off += 4 + n;
    }
}

/* Creates the tree's unix socket pairs at SOCK_FD_BASE + 2k (end a) and + 1 (end b), their queues refilled. */
static void make_tree_sockets(void) {
    for (u64 k = 0; k < ntsocks; k++) {
        uint32_t h[6];
        read_full(h, sizeof h);
        tsock_ids[k][0] = h[0];
        tsock_ids[k][1] = h[1];
        int sv[2];
        i64 e = sys4(SYS_socketpair, 1 /* AF_UNIX */, h[2], 0, sv);
        if (e < 0) die("cannot create a unix socket pair", e);
        sys2(SYS_dup2, sv[0], SOCK_FD_BASE + 2 * k);
        sys2(SYS_dup2, sv[1], SOCK_FD_BASE + 2 * k + 1);
        sys1(SYS_close, sv[0]);
        sys1(SYS_close, sv[1]);
        refill_queue((int) (SOCK_FD_BASE + 2 * k + 1), h[3]);  /* a's queue came from b */
        refill_queue((int) (SOCK_FD_BASE + 2 * k), h[4]);
    }
}

/* A path of the tree plan, len bytes then padding, into buf (PATH_BUF bytes): the tree's own files and FIFOs are
 * opened at once, so they need no room in the pool the processes' plans fill later. */
#define PATH_BUF 4096
static void read_path(char *buf, uint32_t len) {
    if (len >= PATH_BUF) die("tree plan: path too long", 0);
    read_full(buf, len);
    buf[len] = 0;
    skip_pad(len);
}

/* Opens each file that several descriptors of the tree share (one open file description, inherited across fork or
 * dup'ed) once, at FILE_FD_BASE + k and its saved offset: every holder takes a duplicate, so the offset is shared again. */
static void make_tree_files(void) {
    static char path[PATH_BUF];
    for (u64 k = 0; k < ntfiles; k++) {
        struct tree_file tf;
        read_full(&tf, sizeof tf);
        read_path(path, tf.pathlen);
        tfile_ids[k] = tf.id;
        place(reopen(path, tf.flags, tf.type, tf.pos, (int32_t) (FILE_FD_BASE + k)), (int) (FILE_FD_BASE + k));
    }
}

/* Opens every FIFO the processes hold read-write at FIFO_FD_BASE + k and refills it: while the loaders reopen their
 * ends by path, an open for reading finds a writer and one for writing a reader, so none waits, and the saved bytes
 * stay buffered as long as an end is open. The loaders close these keepers once their own fds are in place. */
static void make_tree_fifos(void) {
    static char path[PATH_BUF];
    for (u64 k = 0; k < ntfifos; k++) {
        uint32_t h[2];
        read_full(h, sizeof h);
        read_path(path, h[1]);
        /* only a FIFO: a file or device that took its path is neither opened read-write nor written to */
        int fifo = file_type(path) == S_IFIFO;
        i64 t = fifo ? sys2(SYS_open, path, O_RDWR | O_NONBLOCK) : -1;
        if (t < 0) {
            out("ckpt-loader: warning: cannot open the FIFO ");
            out(path);
            out(fifo ? "" : " (not a FIFO now)");
            out(h[0] ? "; its saved bytes are lost\n" : "\n");
        } else {
            sys3(SYS_fcntl, t, F_SETFL, O_RDWR);
            place(t, (int) (FIFO_FD_BASE + k));
        }
        refill_pipe(t < 0 ? -1 : (int) (FIFO_FD_BASE + k), h[0]);
    }
}

/* Reads the tree plan, makes the pipes, then forks: each process's loader is forked by its parent's, so the restored
 * tree has the original shape. Returns in every process with plan_fd and ready_path set for that process. */
static void start_tree(const char *tree_plan, const char *ready_dir) {
    open_plan(tree_plan);
    char magic[8];
    read_full(magic, 8);
    if (!sprefix(magic, "CKPTTRE2")) die("not a ckpt tree plan", 0);
    uint32_t counts[6];
    read_full(counts, sizeof counts);
    ntprocs = counts[0];
    ntpipes = counts[1];
    ntsocks = counts[2];
    ntfiles = counts[3];
    ntfifos = counts[4];
    if (ntprocs == 0 || ntprocs > MAX_TREE_PROCS || ntpipes > MAX_TREE_PIPES || ntsocks > MAX_TREE_SOCKS || ntfiles > MAX_TREE_FILES
        || ntfifos > MAX_TREE_FIFOS)
        die("tree plan: counts out of range", 0);
    /* the tree's fds sit above 1024: make room (the program's own limit comes back with its rlimits) */
    uint64_t nofile[2];
    if (sys4(SYS_prlimit64, 0, 7 /* RLIMIT_NOFILE */, 0, nofile) == 0 && nofile[0] < FIFO_FD_BASE + MAX_TREE_FIFOS
        && nofile[1] > nofile[0]) {
        nofile[0] = nofile[1];
        sys4(SYS_prlimit64, 0, 7, nofile, 0);
    }
    for (u64 i = 0; i < ntprocs; i++) {
        read_full(&tprocs[i], sizeof tprocs[i]);
        tplan_paths[i] = read_string(tprocs[i].planlen);
        if (tprocs[i].parent >= (int32_t) i || (i > 0 && tprocs[i].parent < 0)) die("tree plan: parents must come first", 0);
    }
    make_tree_pipes();
    make_tree_sockets();
    make_tree_files();
    make_tree_fifos();
    sys1(SYS_close, plan_fd);
    map_pidmap();
    pidmap->n = ntprocs;
    for (u64 i = 0; i < ntprocs; i++) pidmap->e[i].pid = tprocs[i].pid;
    u64 me = 0;
again:
    for (u64 j = me + 1; j < ntprocs; j++) {
        if (tprocs[j].parent != (int32_t) me) continue;
        i64 parent = sys1(SYS_getpid, 0);
        i64 r = sys1(SYS_fork, 0);
        if (r < 0) die("cannot fork a process of the tree", r);
        if (r == 0) {
            loader_parent = parent;
            me = j;
            goto again;
        }
    }
    pidmap->e[me].real = (int32_t) sys1(SYS_getpid, 0);
    if (tprocs[me].flags & TREE_SETSID) sys1(SYS_setsid, 0);
    else if (tprocs[me].flags & TREE_SETPGID) sys2(SYS_setpgid, 0, 0);
    u64 n = slen(ready_dir);
    if (n >= sizeof ready_path - 24) die("ready path too long", 0);
    memcpy(ready_path, ready_dir, n);
    ready_path[n++] = '/';
    char b[16];
    int i = 15;
    b[i] = 0;
    u64 u = (u64) tprocs[me].pid;
    do { b[--i] = (char) ('0' + u % 10); u /= 10; } while (u);
    memcpy(ready_path + n, b + i, (u64) (16 - i));
    open_plan(tplan_paths[me]);
}

__attribute__((noreturn, used)) void loader_main(long *sp) {
    long argc = sp[0];
    char **argv = (char **) (sp + 1);
    if (argc < 2) die("usage: ckpt-loader PLAN [READY_PATH] | -t TREE_PLAN READY_DIR", 0);
    /* Signals wait until the program runs with its own handlers and mask (sigreturn sets them): a default action
     * now would end a half-restored process (a tree's processes signal each other as soon as they resume). The
     * forked loaders inherit the mask. */
    uint64_t all = ~0UL;
    sys4(SYS_rt_sigprocmask, 2 /* SIG_SETMASK */, &all, 0, 8);
    /* argv lives on the stack we are about to unmap: what is needed later is copied */
    if (seq(argv[1], "-t")) {
        if (argc < 4) die("usage: ckpt-loader -t TREE_PLAN READY_DIR", 0);
        start_tree(argv[2], argv[3]);
    } else {
        open_plan(argv[1]);
        if (argc > 2) {
            u64 n = slen(argv[2]);
            if (n >= sizeof ready_path - 8) die("ready path too long", 0);
            memcpy(ready_path, argv[2], n + 1);
        }
    }
    read_plan();
    if (!pidmap) {  /* a single process: a map of one */
        ntprocs = 1;
        map_pidmap();
        pidmap->n = 1;
        pidmap->e[0].pid = H.pid;
        pidmap->e[0].real = (int32_t) sys1(SYS_getpid, 0);
    }
    read_own_maps();
    unmap_own_stack();  /* argv lives there: not used from here on */
    move_vdso();
    map_areas();
    load_pages();
    /* tell libckpt.so it is a restored copy before any of the program's threads runs again: they do before the
     * library's manager thread has caught up, and its wrappers must answer with the original pids at once */
    if (H.restored_addr && writable_target(H.restored_addr, 4)) *(volatile int32_t *) H.restored_addr = 1;
    protect_areas();
    restore_misc();
    restore_fds();
    restore_signals();
    resume();
}

__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "  mov %rsp, %rdi\n"
        "  mov loader_stack_top(%rip), %rsp\n"
        "  and $-16, %rsp\n"
        "  call loader_main\n"
        "  hlt\n");
