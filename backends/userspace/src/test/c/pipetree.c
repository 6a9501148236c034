/* Test workload for process trees: a parent and a child connected by a pipe. The parent writes a sequence number
 * (u64) into the pipe every 10 ms, the child reads one every 40 ms, so bytes are always in flight; the child checks
 * that every number is the previous one plus one (each arrives exactly once, in order). Every 20 ticks the parent
 * sends the child SIGUSR1 with kill(child) and asks waitpid(child, WNOHANG) about it, by the pid fork returned: after
 * a restart both work only if the child's original pid still names it. The other way, over a unix socketpair, the
 * child sends a number of its own (u64) after every read, and the parent reads one every 8 ticks (MSG_DONTWAIT), so
 * those queue up in the socket; the parent checks their order too. Each keeps a status file:
 *   OUTDIR/parent: ticks  last-written  getpid()  getppid()  kill-and-waitpid-ok(1/0)  socket-reads  last  in-order
 *   OUTDIR/child:  reads  last-read  in-order(1/0)  getpid()  getppid()  SIGUSR1-received
 * With "exec", the child execs this program again (pipetree OUTDIR --child RFD SFD: a fork+exec child, which gets
 * libckpt.so through the inherited LD_PRELOAD) and forks a grandchild that only ticks:
 *   OUTDIR/grandchild: ticks  getpid()  getppid()
 * Each step (a transfer and the status line that reports it) runs with the checkpoint signal blocked, so a
 * checkpoint stops a process between steps only and the status files match what the pipe and the socket hold.
 * usage: pipetree OUTDIR [exec] */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "status.h"

/* libckpt stops a thread with its checkpoint signal ($CKPT_SIGNAL, default SIGRTMAX-1, PROTOCOL.md); blocked, it waits
 * until the step is over. Without this a checkpoint could fall between a write to the pipe and the status line
 * that counts it (seen under load: the pipe held one number more than the parent's status said). A step never
 * blocks: the child polls before its read, and the parent's pipe is full only after about 100 s. */
static sigset_t ckpt_signal;
static void step_begin(void) { pthread_sigmask(SIG_BLOCK, &ckpt_signal, NULL); }
static void step_end(void) { pthread_sigmask(SIG_UNBLOCK, &ckpt_signal, NULL); }

static volatile sig_atomic_t usr1;
static void on_usr1(int sig) { (void) sig; usr1++; }

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {}
}

static int read_full(int fd, void *dst, size_t n) {
    char *p = dst;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) return -1;
        p += r;
        n -= (size_t) r;
    }
    return 0;
}

static void grandchild(const char *dir) {
    char line[128];
    for (unsigned long ticks = 1;; ticks++) {
        snprintf(line, sizeof line, "%lu %d %d\n", ticks, (int) getpid(), (int) getppid());
        status(dir, "grandchild", line);
        pause_ms(50);
    }
}

/* reads the parent's numbers from rfd, answers on sfd */
static int child_loop(const char *dir, int rfd, int sfd) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    char line[256];
    uint64_t expect = 1, reads = 0;
    int ok = 1;
    for (;;) {
        /* wait for a number outside the step: a checkpoint must be able to stop a reader of an empty pipe (the parent
         * writes each number whole, so once readable the pipe holds one) */
        struct pollfd pf = { rfd, POLLIN, 0 };
        while (poll(&pf, 1, -1) < 0) {}
        step_begin();
        uint64_t v;
        if (read_full(rfd, &v, sizeof v) != 0) return 3;
        if (v != expect) ok = 0;
        expect = v + 1;
        reads++;
        if (send(sfd, &reads, sizeof reads, 0) != (ssize_t) sizeof reads) return 5;
        snprintf(line, sizeof line, "%lu %lu %d %d %d %d\n", (unsigned long) reads, (unsigned long) v, ok, (int) getpid(),
                 (int) getppid(), (int) usr1);
        status(dir, "child", line);
        step_end();
        pause_ms(40);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    const char *dir = argv[1];
    const char *cs = getenv("CKPT_SIGNAL");
    sigemptyset(&ckpt_signal);
    sigaddset(&ckpt_signal, cs ? atoi(cs) : SIGRTMAX - 1);
    if (argc >= 5 && strcmp(argv[2], "--child") == 0) {
        pid_t g = fork();
        if (g == 0) grandchild(dir);
        return child_loop(dir, atoi(argv[3]), atoi(argv[4]));
    }
    int exec_child = argc > 2 && strcmp(argv[2], "exec") == 0;
    int p[2], sv[2];
    if (pipe(p) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
    pid_t child = fork();
    if (child < 0) return 1;
    char line[256];
    if (child == 0) {
        close(p[1]);
        close(sv[0]);
        if (exec_child) {
            char rfd[16], sfd[16];
            snprintf(rfd, sizeof rfd, "%d", p[0]);
            snprintf(sfd, sizeof sfd, "%d", sv[1]);
            execl("/proc/self/exe", argv[0], dir, "--child", rfd, sfd, (char *) NULL);
            return 6;
        }
        return child_loop(dir, p[0], sv[1]);
    }
    close(p[0]);
    close(sv[1]);
    int signal_ok = 1, sock_ok = 1;
    uint64_t sock_reads = 0, sock_last = 0;
    for (uint64_t seq = 1;; seq++) {
        step_begin();
        if (write(p[1], &seq, sizeof seq) != (ssize_t) sizeof seq) return 4;
        if (seq % 20 == 0) {
            int st;
            signal_ok = kill(child, SIGUSR1) == 0 && waitpid(child, &st, WNOHANG) == 0;
        }
        if (seq % 8 == 0) {
            uint64_t v;
            if (recv(sv[0], &v, sizeof v, MSG_DONTWAIT | MSG_WAITALL) == (ssize_t) sizeof v) {
                if (v != sock_last + 1) sock_ok = 0;
                sock_last = v;
                sock_reads++;
            }
        }
        snprintf(line, sizeof line, "%lu %lu %d %d %d %lu %lu %d\n", (unsigned long) seq, (unsigned long) seq, (int) getpid(),
                 (int) getppid(), signal_ok, (unsigned long) sock_reads, (unsigned long) sock_last, sock_ok);
        status(dir, "parent", line);
        step_end();
        pause_ms(10);
    }
}
