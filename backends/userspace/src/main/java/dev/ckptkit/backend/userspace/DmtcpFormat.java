package dev.ckptkit.backend.userspace;

import java.nio.charset.StandardCharsets;

/**
 * Layout of DMTCP 4.x checkpoint images (ckpt_*.dmtcp), x86-64, little-endian, checked against DMTCP's source
 * (repository dmtcp/dmtcp; the citations, and what could not be pinned to a commit, are in
 * backends/userspace/DMTCP.md).
 *
 * <pre>
 * Image      = Header Header Area* Terminator   written through "gzip -1 -" unless DMTCP_GZIP=0 (ckptserializer.cpp)
 * Header     = DmtcpCkptHeader, 4096 bytes, written twice: dmtcp_restart reads the first copy, execs mtcp_restart,
 *              which reads the second one from the same (possibly piped) fd.
 *   0   char     ckptSignature[32]   "DMTCP_CHECKPOINT_IMAGE_v4.0\n", NUL-padded (restart compares up to the NUL)
 *   32  upid, 56 uppid, 80 compGroup: DmtcpUniqueProcessId {u64 hostid, u64 time, i32 pid, u32 generation} (24)
 *   104 i32 pid, 108 ppid, 112 sid, 116 gid, 120 fgid; 124 u32 isRootOfProcessTree, 128 numPeers,
 *   132 u32 elfType (enum ElfType: 0 Elf_32, 1 Elf_64)
 *   136 u64 clock_gettime_offset, 144 getcpu_offset, 152 gettimeofday_offset, 160 time_offset
 *   168 restoreBuf, 184 vdso, 200 vvar, 216 vvarVClock: MemRegion {u64 startAddr, u64 endAddr} (16)
 *   232 u64 savedBrk, 240 endOfStack, 248 postRestartAddr
 *   256 char procname[1024], 1280 char procSelfExe[1024]; 2304..4096 zero padding (no implicit padding anywhere)
 * Area       = ProcMapsArea (include/procmapsarea.h), a union padded to 4096 bytes; every field a u64 slot:
 *   0 addr, 8 endAddr, 16 size, 24 offset, 32 prot (int in the low half), 40 flags (int in the low half),
 *   48 devmajor, 56 devminor, 64 inodenum, 72 i64 mmapFileSize, 80 u64 properties, 88 char name[1024]
 *   then its data, by mtcp_restart's rule: none if properties has ZERO_PAGE or ZERO_PAGE_PARENT_HEADER; else
 *   mmapFileSize bytes if mmapFileSize &gt; 0 and name starts with '/' (a file mapping reaching past the file's end:
 *   st_size - offset, not page-rounded), else size bytes.
 *   Anonymous areas (and mappings of files that no longer exist) are a PARENT_HEADER record for the whole area
 *   followed by CHILD_HEADER records that tile it in order, each either ZERO_PAGE (no data) or carrying its data.
 *   An nscd area is a lone ZERO_PAGE record. SKIP_WRITING_TEXT_SEGMENTS is declared but neither written nor read.
 * Terminator = an Area with addr 0 (writeckpt also sets size -1; restart stops on addr == NULL alone).
 * </pre>
 * DMTCP 3.x and older images start "DMTCP_CHECKPOINT_IMAGE_v2.0\n" (v1.10 before that) followed by a jalib-serialised
 * ProcessInfo and an MtcpHeader ("MTCP_HEADER_v2.2\n"), and their area record has no mmapFileSize (properties at 72,
 * name at 80): a different layout this importer names and refuses.
 */
final class DmtcpFormat {
    private DmtcpFormat() {}

    /** What every DMTCP image signature starts with, whatever its version. */
    static final byte[] SIGNATURE_PREFIX = "DMTCP_CHECKPOINT_IMAGE_".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SIGNATURE = "DMTCP_CHECKPOINT_IMAGE_v4.0\n".getBytes(StandardCharsets.US_ASCII);
    static final int SIGNATURE_FIELD = 32;
    static final int HEADER = 4096;
    static final int AREA = 4096;
    static final int NAME_LENGTH = 1024;

    static final int OFF_UPID = 32, OFF_PID = 104, OFF_PPID = 108, OFF_SID = 112, OFF_GID = 116, OFF_FGID = 120,
            OFF_NUM_PEERS = 128, OFF_ELF_TYPE = 132, OFF_RESTORE_BUF = 168, OFF_VDSO = 184, OFF_VVAR = 200,
            OFF_SAVED_BRK = 232, OFF_END_OF_STACK = 240, OFF_POST_RESTART = 248, OFF_PROCNAME = 256, OFF_EXE = 1280;
    static final int ELF_64 = 1;

    static final int AREA_ADDR = 0, AREA_END = 8, AREA_SIZE = 16, AREA_OFFSET = 24, AREA_PROT = 32, AREA_FLAGS = 40,
            AREA_DEVMAJOR = 48, AREA_DEVMINOR = 56, AREA_INODE = 64, AREA_FILE_SIZE = 72, AREA_PROPERTIES = 80,
            AREA_NAME = 88;

    /** ProcMapsAreaProperties: DMTCP_ZERO_PAGE, _SKIP_WRITING_TEXT_SEGMENTS, _ZERO_PAGE_PARENT_HEADER, _CHILD_HEADER. */
    static final long ZERO_PAGE = 0x1, SKIP_WRITING_TEXT = 0x2, PARENT_HEADER = 0x4, CHILD_HEADER = 0x8;
    static final long KNOWN_PROPERTIES = 0xf;
}
