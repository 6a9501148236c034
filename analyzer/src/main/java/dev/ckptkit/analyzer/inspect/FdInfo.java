package dev.ckptkit.analyzer.inspect;

/**
 * One file descriptor with what it points to.
 *
 * @param target   resolved description: a path, {@code pipe:[ID]}, {@code socket:[INODE]}, ...
 * @param detail   extra facts for humans (pipe end and buffered bytes, socket addresses and state), or null
 */
public record FdInfo(int pid, int fd, long fileId, boolean cloexec, String type, String target, int flags, Long pos,
                     Long size, boolean deleted, String attachment, String detail) {}
