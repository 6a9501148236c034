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
        @Doc("GNU build-id of an ELF file as lowercase hex, when the producer recorded it (CRIU reg_file_entry.build_id); since 1.1") String buildId) {}
