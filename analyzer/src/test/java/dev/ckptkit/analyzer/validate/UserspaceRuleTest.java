package dev.ckptkit.analyzer.validate;

import static dev.ckptkit.analyzer.validate.Fixture.codes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ckptkit.io.table.FileRow;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UserspaceRuleTest {
    @Test
    void kernelImagesAreNotConcerned() {
        Fixture f = Fixture.oneProcess();
        f.socket(12, "inet", 6, "ESTABLISHED", "10.0.0.5:40000", "10.0.0.9:5432", 3L, null);
        assertEquals(List.of(), new UserspaceRule().check(f.alone()));
    }

    @Test
    void whatAUserspaceImageCannotRestore() {
        Fixture f = Fixture.oneProcess();
        f.style = "userspace";
        assertEquals(Set.of("USERSPACE_SCOPE"), codes(new UserspaceRule().check(f.alone())));
        f.socket(12, "inet", 6, "ESTABLISHED", "10.0.0.5:40000", "10.0.0.9:5432", 3L, null);
        f.files.add(new FileRow(20, "reg", "/tmp/scratch", 2, 0L, 5L, null, null, null, true, null, null));
        assertEquals(Set.of("USERSPACE_SCOPE", "USERSPACE_EXTERNAL_CONNECTION", "USERSPACE_DELETED_FILE"),
                codes(new UserspaceRule().check(f.alone())));
    }

    @Test
    void ckptsOwnImagesSayWhatCkptRestartRebuilds() {
        Fixture f = Fixture.oneProcess();
        f.style = "userspace";
        f.producer = "userspace";
        var scope = new UserspaceRule().check(f.alone());
        assertEquals(Set.of("USERSPACE_SCOPE"), codes(scope));
        org.junit.jupiter.api.Assertions.assertTrue(scope.getFirst().explanation().contains("unix socket pairs between its processes"), scope.toString());
        f.socket(12, "unix", 0, null, null, null, 3L, 4L);
        f.socket(13, "unix", 0, null, null, null, 4L, 3L);
        assertEquals(Set.of("USERSPACE_SCOPE"), codes(new UserspaceRule().check(f.alone())), "a socketpair inside the image comes back");
        f.socket(14, "unix", 0, null, null, null, 5L, 99L);
        var found = new UserspaceRule().check(f.alone());
        assertEquals(Set.of("USERSPACE_SCOPE", "USERSPACE_SOCKET_PLACEHOLDER"), codes(found));
        assertEquals(1, found.stream().filter(x -> x.code().equals("USERSPACE_SOCKET_PLACEHOLDER")).count(), "only the one with its peer outside");
        // a TCP listener and a bound UDP socket are bound again; a TCP connection and an unbound UDP socket are not
        f.socket(15, "inet", 6, "LISTEN", "127.0.0.1:8080", null, 6L, null);
        f.socket(16, "inet6", 17, "CLOSE", "[::]:5353", null, 7L, null);
        f.socket(17, "inet", 6, "ESTABLISHED", "10.0.0.1:40000", "10.0.0.2:80", 8L, null);
        f.socket(18, "inet", 17, "CLOSE", "0.0.0.0:0", null, 9L, null);
        var placeholders = new UserspaceRule().check(f.alone()).stream().filter(x -> x.code().equals("USERSPACE_SOCKET_PLACEHOLDER")).toList();
        assertEquals(3, placeholders.size(), "the unix socket with its peer outside, the connection, the unbound UDP socket: " + placeholders);
    }

    /** A pipe that held bytes: fine when the image carries them (pipe-data/ID), a warning when it does not. */
    @Test
    void pipeContentWithoutItsAttachmentIsReported(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        for (boolean carried : new boolean[] {true, false}) {
            java.nio.file.Path img = dir.resolve("p" + carried + ".ckpt");
            try (var w = dev.ckptkit.io.CkptWriter.create(img, dev.ckptkit.io.WriterOptions.defaults(dev.ckptkit.io.WriterOptions.uuidFrom("p")))) {
                if (carried) w.attachment("pipe-data/77", new java.io.ByteArrayInputStream(new byte[9]));
                w.commit();
            }
            Fixture f = Fixture.oneProcess();
            f.style = "userspace";
            f.producer = "userspace";
            f.file(30, "pipe", "pipe:[77]", 1, null);
            f.file(31, "pipe", "pipe:[77]", 0, null);
            f.pipes.add(new dev.ckptkit.io.table.PipeRow(30, 77, null, 1, 9));
            f.pipes.add(new dev.ckptkit.io.table.PipeRow(31, 77, null, 0, 9));
            try (var r = dev.ckptkit.io.CkptReader.open(img)) {
                var found = new UserspaceRule().check(new ValidationContext(f.facts(), r, null));
                assertEquals(carried ? Set.of("USERSPACE_SCOPE") : Set.of("USERSPACE_SCOPE", "USERSPACE_PIPE_CONTENT_LOST"), codes(found));
            }
        }
    }
}
