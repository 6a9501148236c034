package dev.ckptkit.cli;

import dev.ckptkit.analyzer.inspect.CarriedFiles;
import dev.ckptkit.analyzer.inspect.Inspector;
import dev.ckptkit.analyzer.inspect.MemoryReader;
import dev.ckptkit.backend.ImageOpener;
import dev.ckptkit.io.AtomicFiles;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.table.MemoryAreaRow;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "extract", description = "Write raw memory of a process (an area, or a range; zero-filled where the image "
        + "has no page) or a file the image carries (e.g. a deleted-but-open file) to a file, atomically.")
final class ExtractCommand extends CkptCommand {
    @Parameters(paramLabel = "IMAGE", description = "A .ckpt file, or anything a backend converts.")
    Path image;

    @Option(names = "--pid", description = "Process whose memory to extract.")
    Integer pid;

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @Option(names = "--area", paramLabel = "ADDR", description = "The whole memory area holding ADDR (hex).")
        String area;

        @Option(names = "--range", paramLabel = "A-B", description = "Addresses A (inclusive) to B (exclusive), hex.")
        String range;

        @Option(names = "--file", paramLabel = "PATH", description = "A file carried in the image: an attachment name, or the path of an open file whose content the image carries.")
        String file;
    }

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Where to write (replaced atomically).")
    Path output;

    @Mixin
    JsonOption json;

    @Override
    protected int run() throws Exception {
        if (Files.exists(image) && Files.exists(output) && Files.isSameFile(image, output)) {
            throw new CkptException(output + ": is the input image; refusing to overwrite it");
        }
        try (ImageOpener.Opened opened = openImage(image)) {
            CkptReader r = opened.reader();
            if (what.file != null) return extractFile(r);
            if (pid == null) throw new CkptException("--pid is needed with --area and --range");
            MemoryReader mem = new MemoryReader(new Inspector(r));
            long from, to;
            if (what.area != null) {
                MemoryAreaRow a = mem.areaAt(pid, Addresses.address(what.area));
                from = a.start();
                to = a.end();
            } else {
                long[] rg = Addresses.range(what.range);
                from = rg[0];
                to = rg[1];
                mem.checkRange(pid, from, to);
            }
            MemoryReader.Stats[] stats = new MemoryReader.Stats[1];
            try {
                AtomicFiles.write(output, out -> stats[0] = mem.read(pid, from, to, (at, b, off, len, dumped) -> out.write(b, off, len)));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            MemoryReader.Stats s = stats[0];
            report(String.format("0x%x-0x%x of pid %d", from, to, pid), s.dumped() + s.missing(), s.dumped(), s.missing(), s.inParent());
            return ExitCodes.OK;
        }
    }

    private int extractFile(CkptReader r) throws Exception {
        String name = CarriedFiles.resolve(r, what.file);
        long[] n = {0};
        AtomicFiles.write(output, out -> {
            try (InputStream in = r.attachment(name)) {
                n[0] = in.transferTo(out);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        });
        report("attachment " + name, n[0], n[0], 0, 0);
        return ExitCodes.OK;
    }

    private void report(String what, long bytes, long dumped, long zeroFilled, long inParent) {
        if (json.enabled()) {
            out().println(json.render(InspectJson.document(image.toString()).put("output", output.toString()).put("source", what)
                    .put("bytes", bytes).put("dumpedBytes", dumped).put("zeroFilledBytes", zeroFilled).put("inParentBytes", inParent)));
        } else {
            out().printf("%s: wrote %d bytes of %s (%d from the image, %d zero-filled%s)%n", output, bytes, what, dumped, zeroFilled,
                    inParent == 0 ? "" : ", of which " + inParent + " are in the parent image: flatten it with its parent for them");
        }
    }
}
