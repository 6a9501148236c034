package dev.ckptkit.backend.userspace;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * kcmp(2) with KCMP_FILE: whether two descriptors, in the same or in two processes, are one open file description
 * (shared across fork or dup, so they share one file offset). Nothing else in /proc tells. It needs the kernel's
 * CONFIG_CHECKPOINT_RESTORE and ptrace access to both processes; {@link #available()} is empty when libc cannot be
 * called (native access denied).
 */
final class Kcmp {
    private static final long SYS_KCMP = 312;  // x86_64
    private static final int KCMP_FILE = 0;
    private final MethodHandle syscall;

    private Kcmp(MethodHandle syscall) {
        this.syscall = syscall;
    }

    static Optional<Kcmp> available() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle h = linker.downcallHandle(linker.defaultLookup().findOrThrow("syscall"),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                    Linker.Option.firstVariadicArg(1));
            return Optional.of(new Kcmp(h));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** True if {@code fd1} of {@code pid1} and {@code fd2} of {@code pid2} are one open file description; false when they are not or the kernel will not say. */
    boolean sameFile(int pid1, int fd1, int pid2, int fd2) {
        try {
            return (long) syscall.invokeExact(SYS_KCMP, (long) pid1, (long) pid2, (long) KCMP_FILE, (long) fd1, (long) fd2) == 0;
        } catch (Throwable t) {
            return false;
        }
    }
}
