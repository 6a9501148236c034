package dev.ckptkit.backend.criu;

import dev.ckptkit.backend.Backend;
import dev.ckptkit.backend.CaptureOptions;
import dev.ckptkit.backend.ExportOptions;
import dev.ckptkit.backend.ImportContext;
import dev.ckptkit.backend.RestoreOptions;
import dev.ckptkit.backend.RestoreResult;
import dev.ckptkit.io.CkptReader;
import dev.ckptkit.io.manifest.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** CRIU image directories and container checkpoint archives (Podman, CRI-O) in; CRIU image directories out. */
public final class CriuBackend implements Backend {
    @Override
    public String name() { return "criu"; }

    @Override
    public String description() {
        return "CRIU image directories and Podman/CRI-O checkpoint archives (.tar, .tar.gz, .tar.zst); lossless export";
    }

    @Override
    public boolean canImport(Path input) {
        return CriuImageSet.looksLike(input) || CriuImageSet.looksLike(input.resolve("checkpoint"))
                || (Files.isRegularFile(input) && ContainerArchive.looksLike(input));
    }

    @Override
    public void importImage(Path input, ImportContext ctx) throws IOException {
        importImage(input, ctx, null, null, null);
    }

    /**
     * Import with the version of the criu that made the images, when known (live capture), and for an incremental
     * capture the parent image it was taken against (its reference and its pages); else, for a directory with a
     * parent link, both come from the directories the links lead to.
     */
    void importImage(Path input, ImportContext ctx, String criuVersion, Manifest.Parent parent, PageReader.InParent parentPages) throws IOException {
        if (Files.isDirectory(input)) {
            String source = input.getFileName() == null ? input.toString() : input.getFileName().toString();
            // an unpacked container checkpoint has the images in checkpoint/ and the rest as extras
            boolean plain = CriuImageSet.looksLike(input);
            try (CriuImageSet set = CriuImageSet.open(plain ? input : input.resolve("checkpoint")); ParentDirChain chain = new ParentDirChain(set)) {
                CriuImporter.importSet(set, plain ? Map.of() : ContainerArchive.extrasOf(input), source, ctx, criuVersion,
                        parent != null ? parent : chain.reference(ctx.output()), parentPages != null ? parentPages : chain.pages());
            }
            return;
        }
        try (ContainerArchive a = ContainerArchive.extract(input); CriuImageSet set = CriuImageSet.open(a.checkpointDir(), input + "!checkpoint");
             ParentDirChain chain = new ParentDirChain(set)) {
            CriuImporter.importSet(set, a.extras(), input.getFileName().toString(), ctx, criuVersion, chain.reference(null), chain.pages());
        }
    }

    @Override
    public boolean canExport() { return true; }

    @Override
    public void exportImage(CkptReader image, Path output, ExportOptions options) throws IOException {
        // a .tar/.tar.gz/.tar.zst name asks for a container checkpoint archive, anything else for an image dir
        if (ArchiveExporter.isArchiveName(output)) ArchiveExporter.export(image, output);
        else CriuExporter.export(image, output);
    }

    @Override
    public boolean canCapture() { return true; }

    @Override
    public void capture(int pid, CaptureOptions options, ImportContext ctx) throws IOException {
        CriuCapture.capture(this, pid, options, ctx);
    }

    @Override
    public boolean canRestore() { return true; }

    @Override
    public RestoreResult restore(CkptReader image, RestoreOptions options) throws IOException {
        return CriuRestore.restore(image, options);
    }
}
