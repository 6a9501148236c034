package dev.ckptkit.analyzer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.PageSink;
import dev.ckptkit.io.WriterOptions;
import dev.ckptkit.io.manifest.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolving a chain base <- mid <- top of small written images: by UUID among given images, by path hint, and failures. */
class ParentChainTest {
    @TempDir
    Path tmp;
    private final List<CkptReader> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(CkptReader::close);
    }

    /** One page of data at 0x1000 and, for a child, one absent page at 0x2000; the manifest names the parent. */
    private Path image(String name, String uuid, Manifest.Parent parent) throws IOException {
        Path p = tmp.resolve(name);
        try (CkptWriter w = CkptWriter.create(p, WriterOptions.defaults(UUID.fromString(uuid)))) {
            byte[] page = new byte[4096];
            page[0] = (byte) name.length();
            w.pages().add(7, 0x1000, page, 0);
            if (parent != null) w.pages().addAbsent(7, 0x2000, PageSink.ABSENT);
            w.manifest(Manifest.minimal("criu", "kernel").withParent(parent));
            w.commit();
        }
        return p;
    }

    private CkptReader read(Path p) throws IOException {
        CkptReader r = CkptReader.open(p);
        open.add(r);
        return r;
    }

    private static final String BASE = "00000000-0000-0000-0000-00000000000b", MID = "00000000-0000-0000-0000-00000000000c",
            TOP = "00000000-0000-0000-0000-00000000000d";

    @Test
    void givenImagesInAnyOrderMatchByUuid() throws Exception {
        Path base = image("base.ckpt", BASE, null);
        Path mid = image("mid.ckpt", MID, new Manifest.Parent(BASE, "elsewhere/base.ckpt"));
        Path top = image("top.ckpt", TOP, new Manifest.Parent(MID, "elsewhere/mid.ckpt"));
        ParentChain c = ParentChain.resolve(read(top), top, List.of(new ParentChain.Candidate(base, read(base)),
                new ParentChain.Candidate(mid, read(mid))), this::read);
        assertTrue(c.complete(), String.valueOf(c.problem()));
        assertEquals(List.of(MID, BASE), c.readers().stream().map(r -> r.header().uuid().toString()).toList());
        assertEquals(2, c.links().size());
        assertEquals(1, c.links().getFirst().absentPages());
        assertTrue(c.unused().isEmpty());
    }

    @Test
    void pathHintsAreFollowedWhenTheUuidMatches() throws Exception {
        image("base.ckpt", BASE, null);
        Files.createDirectories(tmp.resolve("sub"));
        image("sub/mid.ckpt", MID, new Manifest.Parent(BASE, "../base.ckpt"));
        Path top = image("top.ckpt", TOP, new Manifest.Parent(MID, "sub/mid.ckpt"));
        ParentChain c = ParentChain.resolve(read(top), top, List.of(), this::read);
        assertTrue(c.complete(), String.valueOf(c.problem()));
        assertEquals(tmp.resolve("base.ckpt").toString(), c.links().get(1).foundAt());
    }

    @Test
    void aHintToAnotherImageOrNothingIsAOneLineProblem() throws Exception {
        image("base.ckpt", "00000000-0000-0000-0000-0000000000ff", null);
        Path top = image("top.ckpt", TOP, new Manifest.Parent(BASE, "base.ckpt"));
        ParentChain c = ParentChain.resolve(read(top), top, List.of(), this::read);
        assertFalse(c.complete());
        assertEquals(top + " was taken against parent image " + BASE + ", but " + tmp.resolve("base.ckpt")
                + " (its path hint) is image 00000000-0000-0000-0000-0000000000ff", c.problem());

        Files.writeString(tmp.resolve("bad.ckpt"), "not an image");
        Path t2 = image("t2.ckpt", TOP, new Manifest.Parent(BASE, "bad.ckpt"));
        ParentChain c2 = ParentChain.resolve(read(t2), t2, List.of(), this::read);
        assertTrue(c2.problem().contains("which cannot be read"), c2.problem());

        Path t3 = image("t3.ckpt", TOP, new Manifest.Parent(BASE, "gone.ckpt"));
        ParentChain c3 = ParentChain.resolve(read(t3), t3, List.of(), this::read);
        assertEquals(t3 + " has 1 pages in its parent image " + BASE + " (was at gone.ckpt); give the parent with --parent FILE", c3.problem());
        assertNull(c3.links().getFirst().foundAt());
    }

    @Test
    void aFullImageHasNoChainAndGivenImagesAreUnused() throws Exception {
        Path base = image("base.ckpt", BASE, null);
        Path other = image("other.ckpt", MID, null);
        ParentChain c = ParentChain.resolve(read(base), base, List.of(new ParentChain.Candidate(other, read(other))), this::read);
        assertTrue(c.complete());
        assertTrue(c.links().isEmpty());
        assertEquals(List.of(other), c.unused());
    }
}
