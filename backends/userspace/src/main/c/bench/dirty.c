/* Benchmark workload: dirties MIB MiB with non-zero, non-repeating data, then ticks a status file so a benchmark
 * can tell it is (still) running. usage: ckpt-bench-dirty MIB STATUS_FILE */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: ckpt-bench-dirty MIB STATUS_FILE\n"); return 2; }
    size_t bytes = (size_t) atol(argv[1]) << 20;
    uint64_t *m = malloc(bytes);
    if (!m) return 1;
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < bytes / 8; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; m[i] = x | 1; }
    for (long n = 1;; n++) {
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
        FILE *f = fopen(tmp, "w");
        if (f) { fprintf(f, "%ld %d %llu\n", n, (int) getpid(), (unsigned long long) m[(n * 4099) % (bytes / 8)]); fclose(f); rename(tmp, argv[2]); }
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
}
