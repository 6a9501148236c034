package dev.ckptkit.io;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

/**
 * SHA-256 of pages, the page store's content hash. Hashing is most of the writer's CPU time, so the machine's
 * OpenSSL libcrypto is used through FFM when it loads (faster than the JDK's intrinsic here: see
 * {@code ckpt bench hashes}); otherwise the JDK's. Both give the same digest, which a self-test checks before the
 * native one is trusted. An instance is used by one thread at a time.
 */
public sealed interface PageHasher extends AutoCloseable permits PageHasher.Jdk, PageHasher.OpenSsl {
    int LENGTH = 32;

    /** Writes the SHA-256 of {@code data} (heap or native) to {@code dst[dstOffset, dstOffset + 32)}. */
    void hash(MemorySegment data, byte[] dst, int dstOffset);

    /** "openssl" or "jdk": which implementation this is. */
    String implementation();

    @Override
    void close();

    /** The fastest SHA-256 this machine has. */
    static PageHasher create() {
        return OpenSsl.FUNCTIONS.isPresent() ? new OpenSsl(OpenSsl.FUNCTIONS.get()) : new Jdk();
    }

    /** The JDK's SHA-256, always there. */
    static PageHasher jdk() {
        return new Jdk();
    }

    final class Jdk implements PageHasher {
        private final MessageDigest md;

        private Jdk() {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
        }

        @Override
        public void hash(MemorySegment data, byte[] dst, int dstOffset) {
            md.update(data.asByteBuffer());
            try {
                md.digest(dst, dstOffset, LENGTH);
            } catch (DigestException e) {
                throw new IllegalArgumentException(e);
            }
        }

        @Override
        public String implementation() { return "jdk"; }

        @Override
        public void close() {}
    }

    /**
     * libcrypto's SHA256_Init/Update/Final on a context of our own: OpenSSL 3's one-shot SHA256() looks the
     * algorithm up on every call, which costs a fifth of the speed on 4 KiB inputs. Critical downcalls let the
     * JDK pass heap arrays without copying them.
     */
    final class OpenSsl implements PageHasher {
        private static final Optional<Functions> FUNCTIONS = Functions.load();
        private static final long CONTEXT_BYTES = 256;  // sizeof(SHA256_CTX) is 112; room to spare

        private final Functions f;
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment context = arena.allocate(CONTEXT_BYTES, 16);

        private OpenSsl(Functions f) {
            this.f = f;
        }

        @Override
        public void hash(MemorySegment data, byte[] dst, int dstOffset) {
            int ok;
            try {
                ok = (int) f.init.invokeExact(context);
                ok &= (int) f.update.invokeExact(context, data, data.byteSize());
                ok &= (int) f.fin.invokeExact(MemorySegment.ofArray(dst).asSlice(dstOffset, LENGTH), context);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (ok != 1) throw new IllegalStateException("libcrypto SHA-256 failed");
        }

        @Override
        public String implementation() { return "openssl"; }

        @Override
        public void close() {
            arena.close();
        }

        private record Functions(MethodHandle init, MethodHandle update, MethodHandle fin) {
            static Optional<Functions> load() {
                try {
                    SymbolLookup lib = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
                    Linker linker = Linker.nativeLinker();
                    Linker.Option critical = Linker.Option.critical(true);
                    Functions f = new Functions(
                            linker.downcallHandle(lib.findOrThrow("SHA256_Init"),
                                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS), critical),
                            linker.downcallHandle(lib.findOrThrow("SHA256_Update"),
                                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                                            ValueLayout.JAVA_LONG), critical),
                            linker.downcallHandle(lib.findOrThrow("SHA256_Final"),
                                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS), critical));
                    return selfTest(f) ? Optional.of(f) : Optional.empty();
                } catch (RuntimeException | LinkageError e) {
                    return Optional.empty();  // no libcrypto 3, or native access denied: the JDK's digest will do
                }
            }

            private static boolean selfTest(Functions f) {
                byte[] page = new byte[8192];
                for (int i = 0; i < page.length; i++) page[i] = (byte) (i * 31 + (i >>> 8));
                byte[] mine = new byte[LENGTH];
                byte[] jdk = new byte[LENGTH];
                try (OpenSsl o = new OpenSsl(f); Jdk j = new Jdk()) {
                    MemorySegment data = MemorySegment.ofArray(page).asSlice(7, 4096);
                    o.hash(data, mine, 0);
                    j.hash(data, jdk, 0);
                }
                return Arrays.equals(mine, jdk);
            }
        }
    }
}
