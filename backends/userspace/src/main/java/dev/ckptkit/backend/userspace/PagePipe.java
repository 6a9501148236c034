package dev.ckptkit.backend.userspace;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The read end of a process's page pipe, opened through /proc/PID/fd/N: libckpt.so puts its pages in (vmsplice,
 * references to its memory) and they are spliced from here into the image file, so the one copy made is the
 * kernel's into the file's page cache, as CRIU's page dump makes it. Opening takes ptrace read access to the
 * process (the same user, and a dumpable process); without it the stream carries the pages instead.
 */
final class PagePipe implements AutoCloseable {
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int SPLICE_F_MOVE = 1;
    private static final Optional<Calls> CALLS = Calls.find();

    private final Calls calls;
    private final String name;
    private int fd;

    private PagePipe(Calls calls, int fd, String name) {
        this.calls = calls;
        this.fd = fd;
        this.name = name;
    }

    /** The pipes {@code fds} of process {@code pid}, all or none (where one cannot be opened or is not a pipe). */
    static List<PagePipe> openAll(int pid, List<Integer> fds) {
        List<PagePipe> pipes = new ArrayList<>();
        for (int fd : fds) {
            Optional<PagePipe> p = open(pid, fd);
            if (p.isEmpty()) {
                pipes.forEach(PagePipe::close);
                return List.of();
            }
            pipes.add(p.get());
        }
        return List.copyOf(pipes);
    }

    /** The pipe {@code fd} of process {@code pid}; empty where it cannot be opened or is not a pipe. */
    static Optional<PagePipe> open(int pid, int fd) {
        if (CALLS.isEmpty() || fd < 0) return Optional.empty();
        Calls c = CALLS.get();
        String path = "/proc/" + pid + "/fd/" + fd;
        int mine = c.open(path);
        if (mine < 0) return Optional.empty();
        PagePipe p = new PagePipe(c, mine, path);
        try {
            // the number came from the process: it must name a pipe, not a file or socket splice would read from
            if (Files.readSymbolicLink(Path.of("/proc/self/fd/" + mine)).toString().startsWith("pipe:")) return Optional.of(p);
        } catch (IOException | RuntimeException e) {
            // fall through: not usable
        }
        p.close();
        return Optional.empty();
    }

    /** Moves exactly {@code length} bytes from the pipe to descriptor {@code out} at {@code offset}. */
    void spliceTo(int out, long offset, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment off = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment state = arena.allocate(CALL_STATE);
            off.set(ValueLayout.JAVA_LONG, 0, offset);
            long left = length;
            while (left > 0) {
                long n = calls.splice(state, fd, out, off, left);
                if (n == 0) throw new IOException(name + ": the process's page pipe ended " + left + " bytes early");
                left -= n;
            }
        }
    }

    @Override
    public void close() {
        if (fd >= 0) calls.close(fd);
        fd = -1;
    }

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final int EINTR = 4;

    private record Calls(MethodHandle open, MethodHandle splice, MethodHandle close) {
        static Optional<Calls> find() {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                return Optional.of(new Calls(
                        linker.downcallHandle(libc.findOrThrow("open"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
                        linker.downcallHandle(libc.findOrThrow("splice"),
                                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
                                Linker.Option.captureCallState("errno")),
                        linker.downcallHandle(libc.findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT))));
            } catch (RuntimeException | LinkageError e) {
                return Optional.empty();  // native access denied
            }
        }

        int open(String path) {
            try (Arena arena = Arena.ofConfined()) {
                return (int) open.invokeExact(arena.allocateFrom(path), O_RDONLY_CLOEXEC);
            } catch (Throwable t) {
                return -1;
            }
        }

        /** splice(2) from the pipe, retried on EINTR; 0 at the pipe's end. */
        long splice(MemorySegment state, int in, int out, MemorySegment offset, long length) throws IOException {
            while (true) {
                long n;
                try {
                    n = (long) splice.invokeExact(state, in, MemorySegment.NULL, out, offset, length, SPLICE_F_MOVE);
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
                if (n >= 0) return n;
                int errno = (int) ERRNO.get(state, 0L);
                if (errno != EINTR) throw new IOException("splice from the page pipe failed (errno " + errno + ")");
            }
        }

        void close(int fd) {
            try {
                int ignored = (int) close.invokeExact(fd);
            } catch (Throwable t) {
                // nothing to do: the descriptor is gone either way
            }
        }
    }
}
