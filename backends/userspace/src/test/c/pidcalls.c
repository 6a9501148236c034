/* Test workload for pid virtualisation beyond getpid/kill/waitpid. The parent forks a child that becomes a session
 * (and group) leader with setsid() and one that stays in the parent's group, writes OUTDIR/pids ("parent child
 * other"), and everyone waits for OUTDIR/go (the test makes it after a checkpoint, kill and restart). Then each
 * writes key=value results of calls made with its original pids:
 *   OUTDIR/child:  its own getpgid/getpgrp/getsid, tgkill and sigqueue (signal 0) to itself and to its parent,
 *                  and the Pid: line of /proc/<getpid()>/status by open and by fopen (a negative errno when it
 *                  failed); then it waits for OUTDIR/exit and exits with status 7
 *   OUTDIR/parent: the same for itself, getpgid/getsid of the child, setpgid(other, other) and getpgid(other), the
 *                  child's /proc/<pid>/status, then waitid(P_PID, child) and, after kill(other), waitid(P_PGID, other)
 * usage: pidcalls OUTDIR */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *dir;

static void status(const char *name, const char *line) {
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    (void) !write(fd, line, strlen(line));
    close(fd);
    rename(tmp, path);
}

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {}
}

static void await_file(const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    while (access(path, F_OK) != 0) pause_ms(10);
}

/* the Pid: line of /proc/PID/status (the kernel's pid of the process whose directory it is), or -errno */
static int proc_pid(pid_t pid) {
    char p[64], b[4096];
    snprintf(p, sizeof p, "/proc/%d/status", (int) pid);
    int fd = open(p, O_RDONLY);
    if (fd < 0) return -errno;
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    if (n <= 0) return -1000;
    b[n] = 0;
    char *q = strstr(b, "\nPid:");
    return q ? atoi(q + 5) : -1001;
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

/* key=value results of the calls about the caller itself */
static int self_calls(char *out, size_t cap) {
    union sigval v = {.sival_int = 0};
    return snprintf(out, cap,
                    "pid=%d real=%d pgid0=%d pgid=%d pgrp=%d sid0=%d sid=%d tgkill=%d tgkillpid=%d sigqueue=%d proc=%d fproc=%d",
                    (int) getpid(), (int) syscall(SYS_getpid), (int) getpgid(0), (int) getpgid(getpid()), (int) getpgrp(),
                    (int) getsid(0), (int) getsid(getpid()), tgkill(getpid(), gettid(), 0), tgkill(getpid(), getpid(), 0),
                    sigqueue(getpid(), 0, v), proc_pid(getpid()), fproc_pid(getpid()));
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
        char line[1024];
        int n = self_calls(line, sizeof line);
        union sigval v = {.sival_int = 0};
        snprintf(line + n, sizeof line - (size_t) n, " ptgkill=%d psigqueue=%d\n", tgkill(getppid(), getppid(), 0),
                 sigqueue(getppid(), 0, v));
        status("child", line);
        await_file("exit");
        return 7;
    }
    pid_t other = fork();
    if (other < 0) return 1;
    if (other == 0) loop_forever();
    char line[2048];
    snprintf(line, sizeof line, "%d %d %d\n", (int) getpid(), (int) child, (int) other);
    status("pids", line);
    await_file("go");
    int n = self_calls(line, sizeof line);
    await_file("child");
    int cpgid = getpgid(child), csid = getsid(child), cproc = proc_pid(child);
    int setpg = setpgid(other, other);
    int opgid = getpgid(other);
    status("exit", "");
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
    status("parent", line);
    return 0;
}
