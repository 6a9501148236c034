package dev.ckptkit.analyzer;

import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.PageStore;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.spec.CkptFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parent chain of an incremental image (one whose pages are partly in an earlier image, CRIU in_parent): each
 * image's manifest names its parent by UUID and a path hint. Resolving takes, at each level, the image given by the
 * user with that UUID, else the one at the path hint (relative to the child's directory) if its UUID matches, and
 * stops at the first image that stands alone, or at the first parent it cannot find, with a one-line reason.
 * The caller owns every reader: those it gives and those its {@link Opener} opens.
 */
public final class ParentChain {
    /** Chains deeper than this are a cycle or a mistake. */
    public static final int MAX_DEPTH = 64;

    /** Opens the image at a path (a .ckpt, or anything the caller can convert); the caller closes it later. */
    public interface Opener {
        CkptReader open(Path p) throws IOException;
    }

    /** An image offered as a parent, and where it is. */
    public record Candidate(Path location, CkptReader reader) {}

    /**
     * One level of the chain: what the child asks for ({@code uuid}, null when unknown; {@code hint}), where the
     * parent was found ({@code foundAt}, null if not) and else why not.
     */
    public record Link(String child, long absentPages, String uuid, String hint, String foundAt, String problem) {}

    private final List<Link> links;
    private final List<CkptReader> readers;
    private final List<Path> unused;

    private ParentChain(List<Link> links, List<CkptReader> readers, List<Path> unused) {
        this.links = List.copyOf(links);
        this.readers = List.copyOf(readers);
        this.unused = List.copyOf(unused);
    }

    /** True if the image cannot be used alone: it names a parent, or some of its pages are absent. */
    public static boolean needsParent(CkptReader r) throws CorruptImageException {
        return r.manifest().parent() != null || absentPages(r) > 0;
    }

    /** Pages recorded without content (in the parent image). */
    public static long absentPages(CkptReader r) throws CorruptImageException {
        Manifest.Counts c = r.manifest().counts();
        if (c != null) return c.absentPages();
        PageStore ps = r.pages();
        long n = 0;
        for (long i = 0; i < ps.size(); i++) if (ps.pageAt(i) == CkptFormat.PAGE_ABSENT) n++;
        return n;
    }

    /**
     * @param image    the incremental image
     * @param location where the image is (for its parent's path hint), or null when it has no place (a temporary conversion)
     * @param given    parents the user named, in any order
     */
    public static ParentChain resolve(CkptReader image, Path location, List<Candidate> given, Opener opener) throws IOException {
        return resolve(image, location, null, given, opener);
    }

    /** @param label how to name the image in links and problems (the user's input when it was converted), or null */
    public static ParentChain resolve(CkptReader image, Path location, String label, List<Candidate> given, Opener opener) throws IOException {
        List<Link> links = new ArrayList<>();
        List<CkptReader> chain = new ArrayList<>();
        List<Candidate> left = new ArrayList<>(given);
        CkptReader cur = image;
        Path curAt = location;
        while (needsParent(cur)) {
            String child = links.isEmpty() && label != null ? label : curAt == null ? String.valueOf(cur.path()) : curAt.toString();
            if (links.size() >= MAX_DEPTH) {
                links.add(new Link(child, absentPages(cur), null, null, null, "parent chain deeper than " + MAX_DEPTH + " images (a cycle?)"));
                break;
            }
            Manifest.Parent ref = cur.manifest().parent();
            String uuid = ref == null ? null : ref.uuid();
            String hint = ref == null ? null : ref.path();
            long absent = absentPages(cur);
            Candidate match = null;
            for (Candidate c : left) {
                // without a recorded UUID (a CRIU dir converted without its parent) the next given image is taken on trust
                if (uuid == null || uuid.equals(uuidOf(c.reader()))) {
                    match = c;
                    break;
                }
            }
            String problem = null;
            if (match != null) {
                left.remove(match);
            } else if (hint != null && curAt != null) {
                Path p = curAt.toAbsolutePath().getParent().resolve(hint).normalize();
                if (Files.exists(p)) {
                    CkptReader r;
                    try {
                        r = opener.open(p);
                    } catch (IOException e) {
                        r = null;
                        problem = child + " has its parent image's path hint " + p + ", which cannot be read (" + e.getMessage()
                                + "); give the parent with --parent FILE";
                    }
                    if (r != null && (uuid == null || uuid.equals(uuidOf(r)))) match = new Candidate(p, r);
                    else if (r != null) problem = child + " was taken against parent image " + uuid + ", but " + p + " (its path hint) is image " + uuidOf(r);
                }
            }
            if (match == null) {
                if (problem == null) problem = missing(child, absent, uuid, hint, left);
                links.add(new Link(child, absent, uuid, hint, null, problem));
                break;
            }
            links.add(new Link(child, absent, uuid, hint, match.location().toString(), null));
            chain.add(match.reader());
            cur = match.reader();
            curAt = match.location();
        }
        return new ParentChain(links, chain, left.stream().map(Candidate::location).toList());
    }

    private static String missing(String child, long absent, String uuid, String hint, List<Candidate> offered) {
        StringBuilder b = new StringBuilder(child).append(" has ").append(absent).append(" pages in its parent image ")
                .append(uuid == null ? "(UUID not recorded)" : uuid);
        if (hint != null) b.append(" (was at ").append(hint).append(')');
        if (offered.isEmpty()) {
            b.append("; give the parent with --parent FILE");
        } else {
            b.append("; --parent ");
            for (int i = 0; i < offered.size(); i++) {
                if (i > 0) b.append(", ");
                b.append(offered.get(i).location()).append(" is image ").append(uuidOf(offered.get(i).reader()));
            }
        }
        return b.toString();
    }

    private static String uuidOf(CkptReader r) {
        return r.header().uuid().toString();
    }

    /** The levels looked at, nearest first; the last one has a problem when the chain is incomplete. */
    public List<Link> links() { return links; }

    /** The parents found, nearest first. */
    public List<CkptReader> readers() { return readers; }

    /** Images given as parents that are not in the chain. */
    public List<Path> unused() { return unused; }

    public boolean complete() { return links.isEmpty() || links.getLast().problem() == null; }

    /** Why the chain is incomplete, in one line, or null. */
    public String problem() { return complete() ? null : links.getLast().problem(); }
}
