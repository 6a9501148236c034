/* Test workload for FIFO contents: makes the FIFO OUTDIR/fifo and opens its read end (first, without blocking) and
 * its write end as two descriptors, writes a sequence number (u64) into it every 10 ms and reads one every 40 ms,
 * so numbers are always buffered in the FIFO; it checks that each is the previous one plus one. Each transfer and
 * its status line form one step with the checkpoint signal blocked, so a checkpoint falls between steps.
 *   OUTDIR/status: ticks  last-written  last-read  in-order(1/0)  reads
 * usage: fifo OUTDIR */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include "status.h"

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    char path[4096];
    snprintf(path, sizeof path, "%s/fifo", argv[1]);
    if (mkfifo(path, 0600) != 0) return 3;
    int r = open(path, O_RDONLY | O_NONBLOCK);
    int w = open(path, O_WRONLY);
    if (r < 0 || w < 0) return 4;
    fcntl(r, F_SETFL, 0);  /* reads block again: the program expects its numbers to be there */
    const char *sig = getenv("CKPT_SIGNAL");
    sigset_t ckpt;
    sigemptyset(&ckpt);
    sigaddset(&ckpt, sig ? atoi(sig) : SIGRTMAX - 1);
    uint64_t written = 0, last = 0, reads = 0;
    int ok = 1;
    char line[256];
    for (unsigned long ticks = 1;; ticks++) {
        sigprocmask(SIG_BLOCK, &ckpt, NULL);
        written++;
        if (write(w, &written, sizeof written) != (ssize_t) sizeof written) return 5;
        if (ticks % 4 == 0) {
            uint64_t v;
            if (read(r, &v, sizeof v) != (ssize_t) sizeof v) return 6;
            if (v != last + 1) ok = 0;
            last = v;
            reads++;
        }
        snprintf(line, sizeof line, "%lu %llu %llu %d %llu\n", ticks, (unsigned long long) written,
                 (unsigned long long) last, ok, (unsigned long long) reads);
        status(argv[1], "status", line);
        sigprocmask(SIG_UNBLOCK, &ckpt, NULL);
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}
