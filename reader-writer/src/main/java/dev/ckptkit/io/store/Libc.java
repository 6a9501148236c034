package dev.ckptkit.io.store;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc calls the output needs that a FileChannel does not offer (a descriptor of its own to advise the page
 * cache, or to hand to a caller that moves bytes with splice(2)). Linux on x86_64 and aarch64 only, where the flag
 * values below hold; elsewhere, or without native access, {@link #load()} is empty and callers do without.
 */
record Libc(MethodHandle open, MethodHandle fadvise, MethodHandle close) {
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_CLOEXEC = 0x80000;
    static final int FADV_DONTNEED = 4;

    private static final Optional<Libc> LIBC = find();

    static Optional<Libc> load() {
        return LIBC;
    }

    private static Optional<Libc> find() {
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name").equals("Linux") || !(arch.equals("amd64") || arch.equals("aarch64"))) {
            return Optional.empty();
        }
        try {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            return Optional.of(new Libc(
                    linker.downcallHandle(libc.findOrThrow("open"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
                    linker.downcallHandle(libc.findOrThrow("posix_fadvise"),
                            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT)),
                    linker.downcallHandle(libc.findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT))));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();  // native access denied or no such symbol
        }
    }

    /** A new descriptor of {@code file}, or -1. */
    int openFd(Path file, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) open.invokeExact(arena.allocateFrom(file.toString()), flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Advisory: whether the kernel drops the pages changes nothing but speed, so its answer is not checked. */
    void dontNeed(int fd, long from, long length) {
        try {
            int ignored = (int) fadvise.invokeExact(fd, from, length, FADV_DONTNEED);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void closeFd(int fd) {
        try {
            int ignored = (int) close.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof Error e) throw e;
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }
}
