package dev.ckptkit.io.table;

@Doc("One row per file descriptor of a process.")
public record FdRow(
        @Doc("pid") int pid,
        @Doc("descriptor number") int fd,
        @Doc("files.id of the open file description") long fileId,
        @Doc("close-on-exec flag") boolean cloexec) {}
