package dev.ckptkit.io.table;

import java.util.List;

@Doc("One row per thread, with its registers.")
public record ThreadRow(
        @Doc("pid of the owning process") int pid,
        @Doc("thread id") int tid,
        @Doc("thread name (comm)") String name,
        @Doc("architecture of the register sets: x86_64, aarch64, ...") String arch,
        @Doc("general purpose registers decoded as numbers, in the order of the architecture's register set (x86_64: user_regs_struct order, see SPEC.md)") List<Long> gpRegs,
        @Doc("floating point / vector state as the kernel lays it out (x86_64: FXSAVE area, or XSAVE area when fp_format is xsave)") byte[] fpRegs,
        @Doc("fxsave or xsave") String fpFormat,
        @Doc("XSTATE_BV of the saved XSAVE area: which xsave components the thread used") Long xstateBv,
        @Doc("blocked signal mask") Long sigBlocked,
        @Doc("pending signal bits of the thread") Long sigPending,
        @Doc("syscall the thread was interrupted in, when known") Long syscall) {}
