package dev.ckptkit.io.table;

@Doc("One row per (process, namespace).")
public record NamespaceRow(
        @Doc("pid") int pid,
        @Doc("pid, net, mnt, ipc, uts, user, cgroup or time") String type,
        @Doc("namespace id (the inode of /proc/PID/ns/TYPE, or the backend's id)") long id) {}
