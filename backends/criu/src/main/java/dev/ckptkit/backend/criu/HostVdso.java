package dev.ckptkit.backend.criu;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The vDSO of the running kernel, as this process has it mapped. criu restore parses the checkpointed vDSO from the
 * image's pages to decide whether it can put the running kernel's in its place; checkpointers that do not save the
 * vDSO (libckpt.so skips it: it is the kernel's, not the program's) leave those pages empty. On the kernel the image
 * was taken on, the running vDSO is the same bytes, so a restore there can supply it.
 */
final class HostVdso {
    private HostVdso() {}

    /** The running kernel's release (uname -r), or null. */
    static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    /** The bytes of this process's [vdso] mapping, or null when there is none or it cannot be read. */
    static byte[] read() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (!line.endsWith("[vdso]")) continue;
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                long start = Long.parseUnsignedLong(range[0], 16), end = Long.parseUnsignedLong(range[1], 16);
                ByteBuffer b = ByteBuffer.allocate((int) (end - start));
                try (FileChannel mem = FileChannel.open(Path.of("/proc/self/mem"), StandardOpenOption.READ)) {
                    while (b.hasRemaining()) {
                        if (mem.read(b, start + b.position()) <= 0) return null;
                    }
                }
                return b.array();
            }
        } catch (IOException | RuntimeException e) {
            // no procfs, or the mapping cannot be read: the caller reports what is missing
        }
        return null;
    }
}
