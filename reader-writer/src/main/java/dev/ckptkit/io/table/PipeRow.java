package dev.ckptkit.io.table;

@Doc("One row per pipe or FIFO end.")
public record PipeRow(
        @Doc("files.id of this end") long fileId,
        @Doc("pipe inode: both ends of one pipe share it") long pipeId,
        @Doc("fifo path, or null for an anonymous pipe") String path,
        @Doc("open flags of this end (O_WRONLY for writers)") int flags,
        @Doc("bytes buffered in the pipe at checkpoint time") long buffered) {}
