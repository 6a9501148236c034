package dev.ckptkit.analyzer.inspect;

import java.util.List;

/**
 * A process as {@code ckpt ps} shows it: the processes table row plus its place in the tree.
 *
 * @param depth    0 for a root of the image's tree (its parent is not in the image), 1 for its children, ...
 * @param children pids of the children that are in the image, ascending
 */
public record ProcessInfo(int pid, int ppid, int pgid, int sid, int depth, int threads, String comm, String exe,
                          List<String> cmdline, List<String> env, Long uid, Long gid, String state, String cwd,
                          String root, List<Integer> children) {}
