/* Kernel core workload for ckptkit's ELF core tests: a process with 3 threads that aborts itself.
 * Build: gcc -g -O1 -pthread -o threads threads.c ; run with `ulimit -c unlimited` and core_pattern "core". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char marker[64];
volatile unsigned long counters[3];
char *thread_buf[3];
static pthread_barrier_t ready;

static void *worker(void *arg) {
    long i = (long)arg;
    thread_buf[i] = malloc(1 << 16);
    snprintf(thread_buf[i], 64, "CKPT-THREAD-%ld", i);
    counters[i] = 100 + i;
    pthread_barrier_wait(&ready);
    for (;;) pause();
}

int main(void) {
    pthread_t t[2];
    strcpy(marker, "CKPT-MARKER-THREADS");
    pthread_barrier_init(&ready, NULL, 3);
    for (long i = 1; i <= 2; i++) pthread_create(&t[i - 1], NULL, worker, (void *)i);
    thread_buf[0] = malloc(1 << 16);
    strcpy(thread_buf[0], "CKPT-THREAD-0");
    counters[0] = 100;
    pthread_barrier_wait(&ready);
    usleep(100000); /* let the workers reach pause() */
    abort();
}
