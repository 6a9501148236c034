package dev.ckptkit.io.table;

@Doc("One row per open file description (what fds point to); several fds may share one.")
public record FileRow(
        @Doc("id of the open file description, unique in the image") long id,
        @Doc("reg, dir, pipe, fifo, socket, chr, blk, eventfd, eventpoll, signalfd, inotify, timerfd, memfd, tty, other") String type,
        @Doc("path, or a description such as pipe:[inode]") String path,
        @Doc("open(2) flags") int flags,
        @Doc("file position") Long pos,
        @Doc("file size at checkpoint time, when known") Long size,
        @Doc("st_mode, when known") Integer mode,
        @Doc("inode number, when known") Long inode,
        @Doc("device, when known") Long dev,
        @Doc("true if the file was unlinked while open (its content may be carried as an attachment)") boolean deleted,
        @Doc("name of the attachment holding the content, when the image carries it") String attachment,
        @Doc("GNU build-id of an ELF file as lowercase hex, when the producer recorded it (CRIU reg_file_entry.build_id); since 1.1") String buildId,
        @Doc("last modification time of a regular file at checkpoint time, nanoseconds since the epoch, when the producer recorded it (CRIU does not); since 1.2") Long mtime,
        @Doc("for a terminal: the session it is the controlling terminal of (0: none), when known (CRIU tty_info_entry.sid); since 1.2") Integer ttySid,
        @Doc("for a terminal: its foreground process group (0: none), when known (CRIU tty_info_entry.pgrp); since 1.2") Integer ttyPgrp,
        @Doc("for a pseudo-terminal: its index N (/dev/pts/N); the master (ptmx) and the slave of one pair share it; since 1.2") Integer ttyIndex) {

    /** A row with the columns of CKPT 1.1; the columns added in 1.2 are null. */
    public FileRow(long id, String type, String path, int flags, Long pos, Long size, Integer mode, Long inode, Long dev,
                   boolean deleted, String attachment, String buildId) {
        this(id, type, path, flags, pos, size, mode, inode, dev, deleted, attachment, buildId, null, null, null, null);
    }

    public FileRow withMtime(Long m) {
        return new FileRow(id, type, path, flags, pos, size, mode, inode, dev, deleted, attachment, buildId, m, ttySid, ttyPgrp, ttyIndex);
    }

    public FileRow withTty(Integer sid, Integer pgrp, Integer index) {
        return new FileRow(id, type, path, flags, pos, size, mode, inode, dev, deleted, attachment, buildId, mtime, sid, pgrp, index);
    }
}
