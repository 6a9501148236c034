package dev.ckptkit.backend.userspace;

import java.nio.charset.StandardCharsets;

/**
 * Layout facts of DMTCP v4 checkpoint images (ckpt_*.dmtcp), from DMTCP's include/dmtcp.h (DmtcpCkptHeader),
 * include/procmapsarea.h (ProcMapsArea) and src/writeckpt.cpp. x86_64, little-endian.
 *
 * <pre>
 * Image   = Header Header Area* Terminator          (gzip-compressed as a whole by default)
 * Header  = 4096 bytes: signature[32] "DMTCP_CHECKPOINT_IMAGE_v4.0\n", upid/uppid/compGroup (3 x 24), pid, ppid,
 *           sid, gid, fgid, isRootOfProcessTree, numPeers, elfType (i32 each), vDSO offsets (4 x u64),
 *           restoreBuf, vdso, vvar, vvarVClock (start,end u64 pairs), savedBrk, endOfStack, postRestartAddr,
 *           procname[1024], procSelfExe[1024], padding. Written twice: restart reads it before and after exec.
 * Area    = 4096 bytes: addr, endAddr, size, offset, prot, flags, devmajor, devminor, inode (u64 each),
 *           mmapFileSize (i64), properties (u64), name[1024], padding; then its data:
 *             properties ZERO_PAGE or SKIP_WRITING_TEXT or PARENT_HEADER: none;
 *             otherwise mmapFileSize bytes when > 0 (a file mapping that ends past EOF), else size bytes.
 *           A PARENT_HEADER area is followed by CHILD_HEADER areas covering it exactly, in order: runs that are
 *           ZERO_PAGE (no data) or carry data.
 * Terminator = an Area with addr 0 and size -1.
 * </pre>
 */
final class DmtcpFormat {
    private DmtcpFormat() {}

    static final byte[] SIGNATURE = "DMTCP_CHECKPOINT_IMAGE_v4.0\n".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = 4096;
    static final int AREA = 4096;
    static final int NAME_LENGTH = 1024;

    static final int OFF_PID = 104, OFF_PPID = 108, OFF_SID = 112, OFF_GID = 116, OFF_ELF_TYPE = 132;
    static final int OFF_VDSO = 184, OFF_SAVED_BRK = 232, OFF_PROCNAME = 256, OFF_EXE = 1280;

    static final int AREA_ADDR = 0, AREA_END = 8, AREA_SIZE = 16, AREA_OFFSET = 24, AREA_PROT = 32, AREA_FLAGS = 40,
            AREA_DEVMAJOR = 48, AREA_DEVMINOR = 56, AREA_INODE = 64, AREA_FILE_SIZE = 72, AREA_PROPERTIES = 80,
            AREA_NAME = 88;

    static final long ZERO_PAGE = 0x1, SKIP_WRITING_TEXT = 0x2, PARENT_HEADER = 0x4, CHILD_HEADER = 0x8;
    static final long KNOWN_PROPERTIES = 0xf;
}
