/* Test workload: fills 64 MiB with a pattern, then counts forever; each tick it checks the pattern, appends the
 * counter to an open file (fd 3+) and rewrites a status file, so a test can see it advance across a restart.
 * usage: counter OUTDIR [THREADS] */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define MB (1UL << 20)
static uint64_t *pattern;
static size_t words;
static const char *dir;
static volatile long counters[64];

static int check(void) {
    for (size_t i = 0; i < words; i += 97) if (pattern[i] != i * 0x9E3779B97F4A7C15ULL) return 0;
    return 1;
}

static void *worker(void *arg) {
    long id = (long) arg;
    for (;;) {
        counters[id]++;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

int main(int argc, char **argv) {
    dir = argv[1];
    int nthreads = argc > 2 ? atoi(argv[2]) : 0;
    words = 64 * MB / 8;
    pattern = malloc(words * 8);
    for (size_t i = 0; i < words; i++) pattern[i] = i * 0x9E3779B97F4A7C15ULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/log.txt", dir);
    FILE *log = fopen(path, "a");
    pthread_t t;
    for (long i = 0; i < nthreads; i++) pthread_create(&t, NULL, worker, (void *) (i + 1));
    for (long n = 1;; n++) {
        long sum = 0;
        for (int i = 1; i <= nthreads; i++) sum += counters[i];
        fprintf(log, "%ld\n", n);
        fflush(log);
        char tmp[4096], st[256];
        snprintf(tmp, sizeof tmp, "%s/status.tmp", dir);
        snprintf(path, sizeof path, "%s/status", dir);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int len = snprintf(st, sizeof st, "%ld %d %ld %d %d\n", n, check(), sum, (int) getpid(), (int) getppid());
        write(fd, st, len);
        close(fd);
        rename(tmp, path);
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
}
