package dev.ckptkit.io;

import dev.ckptkit.spec.SectionKinds;

/** The kinds of section a CKPT v1 file holds; {@link Unknown} keeps kinds of later minor versions, skipped. */
public sealed interface Section {
    SectionInfo info();

    record Manifest(SectionInfo info) implements Section {}

    /** An Arrow IPC file holding one table; its name is the table's. */
    record Table(SectionInfo info, String table) implements Section {}

    /** Unique page contents, {@code pages} of them, the first being page ordinal {@code firstPage}. */
    record PageBlock(SectionInfo info, long firstPage, int pages) implements Section {}

    /** Sorted (pid, vaddr) -> page entries. */
    record PageIndex(SectionInfo info) implements Section {}

    /** One hash per unique page, in ordinal order; the name is the algorithm. */
    record PageHashes(SectionInfo info, String algorithm) implements Section {}

    /** A backend's own record, kept for exact conversion back; the name is the backend's, e.g. {@code criu/core-1.img}. */
    record Native(SectionInfo info, String name) implements Section {}

    /** Part {@code part} of a file carried in the image. */
    record Attachment(SectionInfo info, String name, int part) implements Section {}

    record Unknown(SectionInfo info) implements Section {}

    static Section of(SectionInfo info, long firstPage) {
        return switch (info.kind()) {
            case SectionKinds.MANIFEST -> new Manifest(info);
            case SectionKinds.TABLE -> new Table(info, info.name());
            case SectionKinds.PAGE_BLOCK -> new PageBlock(info, firstPage, (int) (info.rawLength() / dev.ckptkit.spec.CkptFormat.PAGE_SIZE));
            case SectionKinds.PAGE_INDEX -> new PageIndex(info);
            case SectionKinds.PAGE_HASHES -> new PageHashes(info, info.name());
            case SectionKinds.NATIVE -> new Native(info, info.name());
            case SectionKinds.ATTACHMENT -> new Attachment(info, info.name(), info.aux());
            default -> new Unknown(info);
        };
    }
}
