/*
 * ckpt.h: the C API of libckpt.so for checkpoint-aware programs (ckptkit userspace backend).
 *
 * The functions are weak: a program built with this header runs unchanged without the library (the calls then do
 * nothing), and gets the callbacks when started with `ckpt launch -- PROGRAM`.
 *
 *   static void flush(void *arg) { fflush(arg); }
 *   static void reconnect(void *arg) { ... }
 *   ckpt_on_checkpoint(flush, stdout);     // runs before the threads are stopped
 *   ckpt_on_restart(reconnect, NULL);      // runs in the restarted process, while its threads already run
 *
 * Callbacks run on the library's own thread, one at a time, in registration order.
 */
#ifndef CKPT_H
#define CKPT_H
#include <sys/types.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef void (*ckpt_callback)(void *arg);

/** Before each checkpoint. Returns 0, or -1 when the table of callbacks (64) is full. */
int ckpt_on_checkpoint(ckpt_callback cb, void *arg) __attribute__((weak));
/** After each checkpoint, in the process that goes on running. */
int ckpt_on_resume(ckpt_callback cb, void *arg) __attribute__((weak));
/** After a restart, in the restored process. */
int ckpt_on_restart(ckpt_callback cb, void *arg) __attribute__((weak));
/** 1 when this process came back from a checkpoint image, else 0. */
int ckpt_restarted(void) __attribute__((weak));
/** Number of restarts this process went through. */
int ckpt_generation(void) __attribute__((weak));
/** The pid the kernel gave this process now (getpid() keeps returning the original one). */
pid_t ckpt_real_pid(void) __attribute__((weak));

/** True when libckpt.so is loaded. */
#define CKPT_AVAILABLE() (ckpt_on_checkpoint != 0)

#ifdef __cplusplus
}
#endif
#endif
