package dev.ckptkit.backend.elfcore;

/** A PT_LOAD program header: memory [vaddr, vaddr + memsz), the first filesz bytes of which are at offset. */
record Segment(long offset, long vaddr, long filesz, long memsz, int flags) {
    long end() { return vaddr + memsz; }

    /** PROT_* bits from PF_* bits (their bit orders differ). */
    int prot() {
        return ((flags & Elf.PF_R) != 0 ? 1 : 0) | ((flags & Elf.PF_W) != 0 ? 2 : 0) | ((flags & Elf.PF_X) != 0 ? 4 : 0);
    }

    static int flagsOf(int prot) {
        return ((prot & 1) != 0 ? Elf.PF_R : 0) | ((prot & 2) != 0 ? Elf.PF_W : 0) | ((prot & 4) != 0 ? Elf.PF_X : 0);
    }
}
