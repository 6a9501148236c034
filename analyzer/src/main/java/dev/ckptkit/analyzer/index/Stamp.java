package dev.ckptkit.analyzer.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * What re-indexing compares before opening an image: size and modification time of the file, or for a directory
 * (CRIU image dir) the file count, total size and newest mtime of the files in it.
 */
public record Stamp(long size, long mtimeNanos, int files) {
    public static Stamp of(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        if (!a.isDirectory()) return new Stamp(a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), 1);
        long size = 0, mtime = a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        int n = 0;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                BasicFileAttributes fa = Files.readAttributes(f, BasicFileAttributes.class);
                if (!fa.isRegularFile()) continue;
                n++;
                size += fa.size();
                mtime = Math.max(mtime, fa.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
            }
        }
        return new Stamp(size, mtime, n);
    }

    public String text() { return size + ":" + mtimeNanos + ":" + files; }
}
