/* Test workload for open file descriptions shared across fork and dup: opens DATA, reads 3 bytes (offset 3 now),
 * dup()s that descriptor, and forks, so parent and child hold two descriptors each of one description with one
 * offset. Both tick every 20 ms; on SIGUSR1 a process reads one byte through its first descriptor, which moves the
 * offset every holder shares. Each keeps a status file:
 *   OUTDIR/parent, OUTDIR/child: ticks  getpid()  fd  dup-fd  bytes-read-since-start  last-byte-read (-1 none)
 * usage: sharedfile OUTDIR DATA */
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include "status.h"

static volatile sig_atomic_t usr1;
static void on_usr1(int sig) { (void) sig; usr1++; }

static void loop(const char *dir, const char *name, int fd, int dupfd) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    long reads = 0, last = -1;
    int served = 0;
    char line[256];
    for (unsigned long ticks = 1;; ticks++) {
        while (served < usr1) {
            unsigned char c;
            if (read(fd, &c, 1) == 1) { reads++; last = c; }
            served++;
        }
        snprintf(line, sizeof line, "%lu %d %d %d %ld %ld\n", ticks, (int) getpid(), fd, dupfd, reads, last);
        status(dir, name, line);
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int fd = open(argv[2], O_RDONLY);
    char head[3];
    if (fd < 0 || read(fd, head, 3) != 3) return 3;
    int dupfd = dup(fd);
    if (dupfd < 0) return 4;
    pid_t child = fork();
    if (child < 0) return 5;
    loop(argv[1], child == 0 ? "child" : "parent", fd, dupfd);
    return 0;
}
