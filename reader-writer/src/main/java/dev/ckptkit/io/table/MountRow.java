package dev.ckptkit.io.table;

@Doc("One row per mount of the mount namespaces in the image.")
public record MountRow(
        @Doc("mount id") int mountId,
        @Doc("parent mount id") int parentId,
        @Doc("mount point") String mountpoint,
        @Doc("root of the mount within its filesystem") String root,
        @Doc("filesystem type") String fstype,
        @Doc("mount source") String source,
        @Doc("mount options") String options,
        @Doc("device, when known") Long dev,
        @Doc("mount namespace id") Long nsId,
        @Doc("true if the mount is external (bind-mounted from the host)") boolean external) {}
