package dev.ckptkit.io;

import dev.ckptkit.spec.CkptFormat;
import dev.ckptkit.spec.Codec;
import dev.ckptkit.spec.SectionKinds;

/** One directory entry: where a section's frame starts, and what its payload is. */
public record SectionInfo(int kind, Codec codec, int aux, long offset, long storedLength, long rawLength,
                          int crc, String name) {

    public long payloadOffset() { return offset + CkptFormat.FRAME_LENGTH; }

    /** Offset just past the payload's trailing CRC. */
    public long end() { return payloadOffset() + storedLength + 4; }

    public String kindName() { return SectionKinds.name(kind); }

    @Override
    public String toString() {
        return kindName() + (name.isEmpty() ? "" : " '" + name + "'") + " @" + offset;
    }
}
