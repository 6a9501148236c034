/* The status file of the test workloads: a line written to OUTDIR/NAME.tmp and renamed over OUTDIR/NAME, so a
 * reader never sees half of it. */
#ifndef CKPT_TEST_STATUS_H
#define CKPT_TEST_STATUS_H
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void status(const char *dir, const char *name, const char *line) {
    char tmp[4096], path[4096];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    (void) !write(fd, line, strlen(line));
    close(fd);
    rename(tmp, path);
}
#endif
