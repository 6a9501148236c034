/* Test workload for pid virtualisation beyond getpid/kill/waitpid. The parent forks a child that becomes a session
 * (and group) leader with setsid() and one that stays in the parent's group, writes OUTDIR/pids ("parent child
 * other"), and everyone waits for OUTDIR/go (the test makes it after a checkpoint, kill and restart). Then each
 * writes key=value results of calls made with its original pids:
 *   OUTDIR/child:  its own getpgid/getpgrp/getsid, tgkill and sigqueue (signal 0) to itself and to its parent,
 *                  and the Pid: line of /proc/<getpid()>/status by open and by fopen (a negative errno when it
 *                  failed), and by openat on a dirfd of /proc and relative to a cwd of /proc; whether the stat
 *                  family, access, readlink and opendir on /proc/<getpid()>/... (absolute, and relative to a dirfd
 *                  of /proc for the *at calls) reach its own directory (1; 0 another one, or a negative errno);
 *                  then it waits for OUTDIR/exit and exits with status 7
 *   OUTDIR/parent: the same for itself, getpgid/getsid of the child, setpgid(other, other) and getpgid(other), the
 *                  child's /proc/<pid>/status, then waitid(P_PID, child) and, after kill(other), waitid(P_PGID, other)
 * usage: pidcalls OUTDIR */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "status.h"

static const char *dir;

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {}
}

static void await_file(const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    while (access(path, F_OK) != 0) pause_ms(10);
}

/* the Pid: line of a /proc/PID/status (the kernel's pid of the process whose directory it is) opened with openat,
 * or -errno */
static int status_pid(int dirfd, const char *path) {
    char b[4096];
    int fd = openat(dirfd, path, O_RDONLY);
    if (fd < 0) return -errno;
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    if (n <= 0) return -1000;
    b[n] = 0;
    char *q = strstr(b, "\nPid:");
    return q ? atoi(q + 5) : -1001;
}

static int proc_pid(pid_t pid) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/status", (int) pid);
    return status_pid(AT_FDCWD, p);
}

/* the same through fopen */
static int fproc_pid(pid_t pid) {
    char p[64], b[256];
    snprintf(p, sizeof p, "/proc/%d/status", (int) pid);
    FILE *f = fopen(p, "r");
    if (!f) return -errno;
    int r = -1001;
    while (fgets(b, sizeof b, f)) if (strncmp(b, "Pid:", 4) == 0) { r = atoi(b + 4); break; }
    fclose(f);
    return r;
}

/* glibc's stat entry points before 2.33 (programs built then call these), no longer declared by its headers */
extern int __xstat(int ver, const char *path, struct stat *st);
extern int __xstat64(int ver, const char *path, struct stat64 *st);
extern int __lxstat(int ver, const char *path, struct stat *st);
extern int __lxstat64(int ver, const char *path, struct stat64 *st);
extern int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
extern int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);
#define STAT_VER 1 /* x86_64's _STAT_VER_LINUX */

static struct stat self_exe;  /* what the stat calls on /proc/<pid>/exe should find: /proc/self/exe's file */

/* a stat call's result r: 1 when it found self_exe's file (the link of our own /proc directory), 0 another, -errno */
#define SAME_EXE(r, st) ((r) != 0 ? -errno : (st).st_dev == self_exe.st_dev && (st).st_ino == self_exe.st_ino)
/* an lstat's: 1 when it found a symlink (/proc/<pid>/exe of a live process), 0 something else, -errno */
#define IS_LINK(r, st) ((r) != 0 ? -errno : S_ISLNK((st).st_mode))
/* an access call's: 1 when it succeeded, -errno */
#define OK(r) ((r) != 0 ? -errno : 1)

/* readlink's answer: 1 when the link's target is /proc/self/exe's, 0 another, -errno */
static int same_link(ssize_t n, const char *got) {
    if (n < 0) return -errno;
    char want[4096];
    ssize_t w = readlink("/proc/self/exe", want, sizeof want);
    return w == n && memcmp(want, got, (size_t) n) == 0;
}

/* 1 when the directory lists the caller's kernel pid (a task directory: the main thread's tid), 0 not, -errno */
static int lists_self(DIR *d) {
    if (!d) return -errno;
    char want[16];
    snprintf(want, sizeof want, "%d", (int) syscall(SYS_getpid));
    int found = 0;
    for (struct dirent *e; (e = readdir(d));) if (strcmp(e->d_name, want) == 0) found = 1;
    closedir(d);
    return found;
}

/* key=value results of the path calls on /proc/<pid>/... (pid: the caller's original pid), absolute and relative to
 * a dirfd of /proc, and of an open relative to a cwd of /proc */
static int path_calls(char *out, size_t cap, pid_t pid) {
    char exe[64], status[64], task[64], rexe[32], rstatus[32], l[4096];
    snprintf(exe, sizeof exe, "/proc/%d/exe", (int) pid);
    snprintf(status, sizeof status, "/proc/%d/status", (int) pid);
    snprintf(task, sizeof task, "/proc/%d/task", (int) pid);
    snprintf(rexe, sizeof rexe, "%d/exe", (int) pid);
    snprintf(rstatus, sizeof rstatus, "%d/status", (int) pid);
    if (stat("/proc/self/exe", &self_exe) != 0) return snprintf(out, cap, " selfexe=%d", -errno);
    int procfd = open("/proc", O_RDONLY | O_DIRECTORY);
    struct stat st;
    struct stat64 st64;
    struct statx sx;
    int r;
    /* each call's result is taken before the next call can change errno */
    r = stat(exe, &st);             int v_stat = SAME_EXE(r, st);
    r = stat64(exe, &st64);         int v_stat64 = SAME_EXE(r, st64);
    r = lstat(exe, &st);            int v_lstat = IS_LINK(r, st);
    r = lstat64(exe, &st64);        int v_lstat64 = IS_LINK(r, st64);
    r = fstatat(AT_FDCWD, exe, &st, 0);         int v_fstatat = SAME_EXE(r, st);
    r = fstatat(procfd, rexe, &st, 0);          int v_fstatatfd = SAME_EXE(r, st);
    r = fstatat64(procfd, rexe, &st64, 0);      int v_fstatat64fd = SAME_EXE(r, st64);
    r = statx(AT_FDCWD, exe, 0, STATX_INO, &sx);
    int v_statx = r != 0 ? -errno : makedev(sx.stx_dev_major, sx.stx_dev_minor) == self_exe.st_dev && sx.stx_ino == self_exe.st_ino;
    r = statx(procfd, rexe, 0, STATX_INO, &sx);
    int v_statxfd = r != 0 ? -errno : makedev(sx.stx_dev_major, sx.stx_dev_minor) == self_exe.st_dev && sx.stx_ino == self_exe.st_ino;
    r = __xstat(STAT_VER, exe, &st);            int v_xstat = SAME_EXE(r, st);
    r = __xstat64(STAT_VER, exe, &st64);        int v_xstat64 = SAME_EXE(r, st64);
    r = __lxstat(STAT_VER, exe, &st);           int v_lxstat = IS_LINK(r, st);
    r = __lxstat64(STAT_VER, exe, &st64);       int v_lxstat64 = IS_LINK(r, st64);
    r = __fxstatat(STAT_VER, procfd, rexe, &st, 0);       int v_fxstatatfd = SAME_EXE(r, st);
    r = __fxstatat64(STAT_VER, AT_FDCWD, exe, &st64, 0);  int v_fxstatat64 = SAME_EXE(r, st64);
    int v_access = OK(access(status, R_OK));
    int v_euidaccess = OK(euidaccess(status, R_OK));
    int v_eaccess = OK(eaccess(status, R_OK));
    int v_faccessat = OK(faccessat(AT_FDCWD, status, R_OK, 0));
    int v_faccessatfd = OK(faccessat(procfd, rstatus, R_OK, AT_EACCESS));
    int v_readlink = same_link(readlink(exe, l, sizeof l), l);
    int v_readlinkat = same_link(readlinkat(AT_FDCWD, exe, l, sizeof l), l);
    int v_readlinkatfd = same_link(readlinkat(procfd, rexe, l, sizeof l), l);
    int v_opendir = lists_self(opendir(task));
    int v_procat = status_pid(procfd, rstatus);
    /* relative to the cwd: chdir to /proc and back */
    int here = open(".", O_RDONLY | O_DIRECTORY);
    int v_proccwd = chdir("/proc") != 0 ? -errno : status_pid(AT_FDCWD, rstatus);
    if (here >= 0 && fchdir(here) != 0) v_proccwd = -2000;
    if (here >= 0) close(here);
    if (procfd >= 0) close(procfd);
    return snprintf(out, cap,
                    " stat=%d stat64=%d lstat=%d lstat64=%d fstatat=%d fstatatfd=%d fstatat64fd=%d statx=%d statxfd=%d"
                    " xstat=%d xstat64=%d lxstat=%d lxstat64=%d fxstatatfd=%d fxstatat64=%d access=%d euidaccess=%d"
                    " eaccess=%d faccessat=%d faccessatfd=%d readlink=%d readlinkat=%d readlinkatfd=%d opendir=%d"
                    " procat=%d proccwd=%d",
                    v_stat, v_stat64, v_lstat, v_lstat64, v_fstatat, v_fstatatfd, v_fstatat64fd, v_statx, v_statxfd, v_xstat,
                    v_xstat64, v_lxstat, v_lxstat64, v_fxstatatfd, v_fxstatat64, v_access, v_euidaccess, v_eaccess,
                    v_faccessat, v_faccessatfd, v_readlink, v_readlinkat, v_readlinkatfd, v_opendir, v_procat, v_proccwd);
}

/* key=value results of the calls about the caller itself */
static int self_calls(char *out, size_t cap) {
    union sigval v = {.sival_int = 0};
    int n = snprintf(out, cap,
                    "pid=%d real=%d pgid0=%d pgid=%d pgrp=%d sid0=%d sid=%d tgkill=%d tgkillpid=%d sigqueue=%d proc=%d fproc=%d",
                    (int) getpid(), (int) syscall(SYS_getpid), (int) getpgid(0), (int) getpgid(getpid()), (int) getpgrp(),
                    (int) getsid(0), (int) getsid(getpid()), tgkill(getpid(), gettid(), 0), tgkill(getpid(), getpid(), 0),
                    sigqueue(getpid(), 0, v), proc_pid(getpid()), fproc_pid(getpid()));
    return n + path_calls(out + n, cap - (size_t) n, getpid());
}

static void loop_forever(void) {
    for (;;) pause_ms(20);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    dir = argv[1];
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        if (setsid() != getpid()) return 3;
        await_file("go");
        char line[4096];
        int n = self_calls(line, sizeof line);
        union sigval v = {.sival_int = 0};
        snprintf(line + n, sizeof line - (size_t) n, " ptgkill=%d psigqueue=%d\n", tgkill(getppid(), getppid(), 0),
                 sigqueue(getppid(), 0, v));
        status(dir, "child", line);
        await_file("exit");
        return 7;
    }
    pid_t other = fork();
    if (other < 0) return 1;
    if (other == 0) loop_forever();
    char line[4096];
    snprintf(line, sizeof line, "%d %d %d\n", (int) getpid(), (int) child, (int) other);
    status(dir, "pids", line);
    await_file("go");
    int n = self_calls(line, sizeof line);
    await_file("child");
    int cpgid = getpgid(child), csid = getsid(child), cproc = proc_pid(child);
    int setpg = setpgid(other, other);
    int opgid = getpgid(other);
    status(dir, "exit", "");
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int w = waitid(P_PID, (id_t) child, &si, WEXITED);
    int wpid = si.si_pid, wcode = si.si_code, wstatus = si.si_status;
    int k = kill(other, SIGKILL);
    memset(&si, 0, sizeof si);
    int g = waitid(P_PGID, (id_t) other, &si, WEXITED);
    snprintf(line + n, sizeof line - (size_t) n,
             " cpgid=%d csid=%d cproc=%d setpgid=%d opgid=%d waitid=%d wpid=%d wcode=%d wstatus=%d kill=%d gwaitid=%d gpid=%d "
             "gcode=%d gstatus=%d\n",
             cpgid, csid, cproc, setpg, opgid, w, wpid, wcode, wstatus, k, g, (int) si.si_pid, si.si_code, si.si_status);
    status(dir, "parent", line);
    return 0;
}
