package dev.ckptkit.backend.elfcore;

/** The ELF64 constants and x86-64 note layouts a core file uses (elf.h, linux/elfcore.h, asm/user_64.h). */
final class Elf {
    private Elf() {}

    static final byte[] MAGIC = {0x7f, 'E', 'L', 'F'};
    static final int ELFCLASS64 = 2;
    static final int ELFDATA2LSB = 1;
    static final int ET_CORE = 4;
    static final int EM_X86_64 = 62;
    static final int EHDR_SIZE = 64;
    static final int PHDR_SIZE = 56;
    static final int SHDR_SIZE = 64;
    /** e_phnum value meaning "the count is in section header 0's sh_info" (more than 65534 segments). */
    static final int PN_XNUM = 0xffff;

    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;
    static final int PF_X = 1, PF_W = 2, PF_R = 4;

    static final int NT_PRSTATUS = 1;
    static final int NT_FPREGSET = 2;
    static final int NT_PRPSINFO = 3;
    static final int NT_AUXV = 6;
    static final int NT_X86_XSTATE = 0x202;
    static final int NT_SIGINFO = 0x53494749;
    static final int NT_FILE = 0x46494c45;
    static final int NT_GDB_TDESC = 0xff000000;

    /** struct elf_prstatus on x86-64: 336 bytes; pr_reg (27 longs) at 112, pr_fpvalid at 328. */
    static final int PRSTATUS_SIZE = 336;
    static final int PRSTATUS_CURSIG = 12, PRSTATUS_SIGPEND = 16, PRSTATUS_SIGHOLD = 24, PRSTATUS_PID = 32,
            PRSTATUS_PPID = 36, PRSTATUS_PGRP = 40, PRSTATUS_SID = 44, PRSTATUS_REG = 112, PRSTATUS_FPVALID = 328;
    static final int GP_REGS = 27;
    /** Index of orig_rax in user_regs_struct. */
    static final int REG_ORIG_RAX = 15;
    static final int REG_RSP = 19;

    /** struct elf_prpsinfo on x86-64: 136 bytes. */
    static final int PRPSINFO_SIZE = 136;
    static final int PRPSINFO_STATE = 0, PRPSINFO_SNAME = 1, PRPSINFO_ZOMB = 2, PRPSINFO_FLAG = 8, PRPSINFO_UID = 16,
            PRPSINFO_GID = 20, PRPSINFO_PID = 24, PRPSINFO_PPID = 28, PRPSINFO_PGRP = 32, PRPSINFO_SID = 36,
            PRPSINFO_FNAME = 40, PRPSINFO_PSARGS = 56;
    static final int FNAME_LEN = 16, PSARGS_LEN = 80;

    static final int SIGINFO_SIZE = 128;
    static final int FXSAVE_SIZE = 512;
    /** Offset of XCR0 in the software-reserved bytes of the FXSAVE area (what gdb reads to size the XSAVE area). */
    static final int XSAVE_XCR0 = 464;
    static final int XSAVE_HEADER = 512;

    static final long AT_NULL = 0, AT_PHDR = 3, AT_ENTRY = 9, AT_SYSINFO_EHDR = 33, AT_EXECFN = 31;

    static final int PAGE = 4096;
}
