package dev.ckptkit.backend.userspace;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.io.CkptWriter;
import dev.ckptkit.io.CorruptImageException;
import dev.ckptkit.io.manifest.Manifest;
import dev.ckptkit.io.table.MemoryAreaRow;
import dev.ckptkit.io.table.ProcessRow;
import dev.ckptkit.io.table.Tables;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Imports DMTCP v4 checkpoint images (ckpt_*.dmtcp, gzip or plain; layout in {@link DmtcpFormat}): process identity,
 * memory areas and their pages (zero-page runs stay out of the page store). DMTCP keeps registers, fds and the rest
 * inside the process's own memory (its plugins serialise them there), so the image has no thread or file tables and
 * cannot be restarted by ckpt-loader; it can be inspected, diffed, indexed and validated.
 */
public final class DmtcpBackend implements Backend {
    private static final int PAGE = 4096;

    @Override
    public String name() { return "dmtcp"; }

    @Override
    public String description() { return "DMTCP v4 checkpoint images (ckpt_*.dmtcp, gzip or plain); import only"; }

    @Override
    public boolean canImport(Path input) throws IOException {
        if (!Files.isRegularFile(input)) return false;
        try (InputStream in = open(input)) {
            // any DMTCP version is claimed, so an unsupported one gets a clear error instead of "unknown format"
            return Arrays.equals(in.readNBytes(DmtcpFormat.SIGNATURE_PREFIX.length), DmtcpFormat.SIGNATURE_PREFIX);
        } catch (IOException e) {
            return false;  // not gzip after all, or unreadable: not ours
        }
    }

    /** The image's bytes, through gzip when it starts with gzip's magic. */
    static InputStream open(Path input) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(input), 1 << 20);
        raw.mark(2);
        int a = raw.read(), b = raw.read();
        raw.reset();
        if (a != 0x1f || b != 0x8b) return raw;
        try {
            return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 20);
        } catch (EOFException | java.util.zip.ZipException e) {
            // the gzip header is read here, before any record: a damaged one is the file's fault
            raw.close();
            throw new CorruptImageException(input.toString(), 0, "gzip: " + (e.getMessage() == null ? "truncated header" : e.getMessage()), e);
        }
    }

    @Override
    public void importImage(Path input, ImportContext ctx) throws IOException {
        try (InputStream in = open(input);
             CkptWriter w = ctx.createWriter(("dmtcp:" + input.toAbsolutePath()).getBytes(StandardCharsets.UTF_8))) {
            new Reader(in, input.toString(), w, ctx).run();
            w.commit();
        }
    }

    /** One pass over the (possibly decompressed) stream; offsets in errors are of the uncompressed image. */
    private static final class Reader {
        private final InputStream in;
        private final String resource;
        private final CkptWriter w;
        private final ImportContext ctx;
        private long offset;
        private final byte[] page = new byte[PAGE];

        Reader(InputStream in, String resource, CkptWriter w, ImportContext ctx) {
            this.in = in;
            this.resource = resource;
            this.w = w;
            this.ctx = ctx;
        }

        void run() throws IOException {
            ByteBuffer h = record(DmtcpFormat.HEADER, "header");
            checkSignature(h);
            ByteBuffer again = record(DmtcpFormat.HEADER, "second header");
            if (!Arrays.equals(h.array(), again.array())) throw new CorruptImageException(resource, DmtcpFormat.HEADER, "the two header copies differ");
            if (h.getInt(DmtcpFormat.OFF_ELF_TYPE) != DmtcpFormat.ELF_64) {
                throw new CorruptImageException(resource, DmtcpFormat.OFF_ELF_TYPE, "not a 64-bit process image (elfType " + h.getInt(DmtcpFormat.OFF_ELF_TYPE) + ")");
            }
            int pid = h.getInt(DmtcpFormat.OFF_PID), ppid = h.getInt(DmtcpFormat.OFF_PPID), sid = h.getInt(DmtcpFormat.OFF_SID),
                    gid = h.getInt(DmtcpFormat.OFF_GID);
            String procname = cstring(h, DmtcpFormat.OFF_PROCNAME, DmtcpFormat.NAME_LENGTH);
            String exe = cstring(h, DmtcpFormat.OFF_EXE, DmtcpFormat.NAME_LENGTH);
            List<MemoryAreaRow> areas = new ArrayList<>();
            long pages = 0;
            long parentEnd = -1, cursor = 0, lastEnd = 0;
            MemoryAreaRow parent = null;
            while (true) {
                long at = offset;
                ByteBuffer a = record(DmtcpFormat.AREA, "area record");
                long addr = a.getLong(DmtcpFormat.AREA_ADDR), end = a.getLong(DmtcpFormat.AREA_END), size = a.getLong(DmtcpFormat.AREA_SIZE);
                if (addr == 0) {  // the terminator: mtcp_restart stops on addr == NULL (writeckpt also sets size -1)
                    if (parent != null && cursor != parentEnd) {
                        throw new CorruptImageException(resource, at, String.format("image ends with area 0x%x-0x%x covered only up to 0x%x", parent.start(), parentEnd, cursor));
                    }
                    break;
                }
                long props = a.getLong(DmtcpFormat.AREA_PROPERTIES), fileSize = a.getLong(DmtcpFormat.AREA_FILE_SIZE);
                int prot = (int) a.getLong(DmtcpFormat.AREA_PROT), flags = (int) a.getLong(DmtcpFormat.AREA_FLAGS);
                if (size <= 0 || Long.compareUnsigned(end, addr) <= 0 || end - addr != size || (addr & (PAGE - 1)) != 0 || (size & (PAGE - 1)) != 0) {
                    throw new CorruptImageException(resource, at, String.format("bad area 0x%x-0x%x size %d", addr, end, size));
                }
                if ((props & ~DmtcpFormat.KNOWN_PROPERTIES) != 0 || (prot & ~7) != 0) {
                    throw new CorruptImageException(resource, at, "unknown area properties 0x" + Long.toHexString(props) + " or prot " + prot);
                }
                boolean child = (props & DmtcpFormat.CHILD_HEADER) != 0;
                if (child && (props & DmtcpFormat.PARENT_HEADER) != 0) {
                    throw new CorruptImageException(resource, at, "area record is both a parent and a child header");
                }
                if (child) {
                    if (parent == null || addr != cursor || Long.compareUnsigned(end, parentEnd) > 0) {
                        throw new CorruptImageException(resource, at, String.format("zero-page run 0x%x-0x%x outside its parent area", addr, end));
                    }
                    cursor = end;
                } else {
                    if (parent != null && cursor != parentEnd) {
                        throw new CorruptImageException(resource, at, String.format("runs stop at 0x%x, before the end of area 0x%x-0x%x", cursor, parent.start(), parentEnd));
                    }
                    if (!areas.isEmpty() && Long.compareUnsigned(addr, lastEnd) < 0) {
                        throw new CorruptImageException(resource, at, String.format("area 0x%x overlaps the previous one", addr));
                    }
                    String name = cstring(a, DmtcpFormat.AREA_NAME, DmtcpFormat.NAME_LENGTH);
                    int mapFlags = flags & 0xffff;
                    MemoryAreaRow row = new MemoryAreaRow(pid, addr, end, prot, mapFlags, a.getLong(DmtcpFormat.AREA_OFFSET),
                            name.isEmpty() ? null : name, StreamImporter.kind(name, mapFlags),
                            (a.getLong(DmtcpFormat.AREA_DEVMAJOR) << 20) | a.getLong(DmtcpFormat.AREA_DEVMINOR),
                            a.getLong(DmtcpFormat.AREA_INODE), props);
                    areas.add(row);
                    lastEnd = end;
                    parent = (props & DmtcpFormat.PARENT_HEADER) != 0 ? row : null;
                    parentEnd = end;
                    cursor = addr;
                    if (parent != null) continue;  // the runs that follow carry the content
                }
                if ((props & DmtcpFormat.ZERO_PAGE) != 0) continue;
                // mtcp_restart's rule: a file mapping past the file's end carries only mmapFileSize bytes
                long data = fileSize > 0 && a.get(DmtcpFormat.AREA_NAME) == '/' ? fileSize : size;
                if (data > size) throw new CorruptImageException(resource, at, "area data of " + data + " bytes exceeds its size " + size);
                pages += pagesOf(pid, addr, data);
                ctx.progress().update("dmtcp areas", offset, 0);
            }
            w.table(Tables.PROCESSES, List.of(new ProcessRow(pid, ppid, gid, sid, procname.length() > 15 ? procname.substring(0, 15) : procname,
                    exe.isEmpty() ? null : exe, List.of(), List.of(), null, null, null, null, null, null, null, null,
                    null, null, null, null, null, "running", null, 0)));
            w.table(Tables.MEMORY_AREAS, areas);
            w.nativeRecord("dmtcp/header.bin", h.array());
            w.manifest(new Manifest(Manifest.SCHEMA, new Manifest.Producer("dmtcp", "v4.0", resource, "DMTCP", null), "userspace",
                    null, ctx.capturedAt(), new Manifest.ProcessTree(pid, 1, 0, List.of(pid)), null,
                    ctx.labels().isEmpty() ? null : new java.util.TreeMap<>(ctx.labels())));
        }

        /** Streams {@code data} bytes at {@code addr} into the page store; a final partial page is zero-filled. */
        private long pagesOf(int pid, long addr, long data) throws IOException {
            long n = 0;
            for (long done = 0; done < data; done += PAGE) {
                int len = (int) Math.min(PAGE, data - done);
                fill(page, len, "area data");
                if (len < PAGE) Arrays.fill(page, len, PAGE, (byte) 0);
                w.pages().add(pid, addr + done, page, 0);
                n++;
            }
            return n;
        }

        private ByteBuffer record(int len, String what) throws IOException {
            byte[] b = new byte[len];
            fill(b, len, what);
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        }

        private void fill(byte[] b, int len, String what) throws IOException {
            int got;
            try {
                got = in.readNBytes(b, 0, len);
            } catch (EOFException e) {
                throw new CorruptImageException(resource, offset, "truncated " + what + " (compressed stream ends early)", e);
            } catch (java.util.zip.ZipException e) {
                throw new CorruptImageException(resource, offset, "gzip: " + e.getMessage(), e);
            }
            if (got < len) throw new CorruptImageException(resource, offset + got, "truncated " + what + " (" + got + " of " + len + " bytes)");
            offset += len;
        }

        /** DMTCP compares the signature as a C string; other versions get their own one-line refusal. */
        private void checkSignature(ByteBuffer h) throws CorruptImageException {
            String sig = cstring(h, 0, DmtcpFormat.SIGNATURE_FIELD);
            if (sig.equals(new String(DmtcpFormat.SIGNATURE, StandardCharsets.US_ASCII))) return;
            String shown = sig.strip();
            if (!sig.startsWith(new String(DmtcpFormat.SIGNATURE_PREFIX, StandardCharsets.US_ASCII))) {
                throw new CorruptImageException(resource, 0, "not a DMTCP v4 image (signature '" + printable(shown) + "')");
            }
            String version = shown.substring(DmtcpFormat.SIGNATURE_PREFIX.length);
            String era = version.startsWith("v2.") || version.startsWith("v1.") ? " (DMTCP 3.x or older)" : "";
            throw new CorruptImageException(resource, 0, "DMTCP image version " + printable(version) + era
                    + " is not supported; only v4.0 (DMTCP 4.x) images are");
        }

        private static String printable(String s) {
            StringBuilder b = new StringBuilder();
            for (char c : s.toCharArray()) b.append(c >= 0x20 && c < 0x7f ? c : '?');
            return b.toString();
        }

        private static String cstring(ByteBuffer b, int off, int max) {
            int n = 0;
            while (n < max && b.get(off + n) != 0) n++;
            byte[] s = new byte[n];
            b.get(off, s);
            return new String(s, StandardCharsets.UTF_8);
        }
    }
}
