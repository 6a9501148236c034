/*
 * A checkpoint-aware program (example for ckpt.h, also the glue test's workload).
 *
 *   gcc -I DIR_OF_CKPT_H -o aware aware.c && ckpt launch -- ./aware /tmp/aware
 *
 * It keeps DIR/data/log.txt open and rewrites DIR/data/tick every 50 ms; before each checkpoint it records how many
 * it has seen (DIR/pre), after a restart it writes DIR/restarted (generation, pid the kernel gave it, pid getpid()
 * reports) and from then on signals itself with kill(getpid(), SIGUSR1), which must still reach it.
 * DIR/status holds: counter, checkpoints seen, SIGUSR1 received, getpid().
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ckpt.h"

static const char *dir;
static volatile int checkpoints, usr1, restarted;

static void write_file(const char *name, const char *text) {
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    (void) !write(fd, text, strlen(text));
    close(fd);
    rename(tmp, path);
}

static void before_checkpoint(void *arg) {
    (void) arg;
    checkpoints++;
    char b[64];
    snprintf(b, sizeof b, "%d\n", checkpoints);
    write_file("pre", b);
}

static void after_restart(void *arg) {
    (void) arg;
    char b[128];
    snprintf(b, sizeof b, "%d %d %d\n", ckpt_generation(), (int) ckpt_real_pid(), (int) getpid());
    write_file("restarted", b);
    restarted = 1;
}

static void on_usr1(int sig) { (void) sig; usr1++; }

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: aware DIR\n"); return 2; }
    dir = argv[1];
    if (CKPT_AVAILABLE()) {
        ckpt_on_checkpoint(before_checkpoint, NULL);
        ckpt_on_restart(after_restart, NULL);
    } else {
        fprintf(stderr, "aware: not started by 'ckpt launch'; running without checkpoint callbacks\n");
    }
    signal(SIGUSR1, on_usr1);
    char path[4096];
    snprintf(path, sizeof path, "%s/data/log.txt", dir);
    int log = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    for (long n = 1;; n++) {
        char b[128];
        int len = snprintf(b, sizeof b, "%ld\n", n);
        (void) !write(log, b, len);
        snprintf(path, sizeof path, "%s/data/tick", dir);
        int t = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (t >= 0) { (void) !write(t, b, len); close(t); }
        if (restarted) kill(getpid(), SIGUSR1);
        snprintf(b, sizeof b, "%ld %d %d %d\n", n, checkpoints, usr1, (int) getpid());
        write_file("status", b);
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
}
