package dev.ckptkit.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ckptkit.analyzer.inspect.Areas;
import dev.ckptkit.analyzer.inspect.Hexdump;
import dev.ckptkit.analyzer.inspect.Inspector;
import dev.ckptkit.analyzer.inspect.MemoryReader;
import dev.ckptkit.backend.ImageOpener;
import dev.ckptkit.io.table.MemoryAreaRow;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HexFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "hexdump", description = "hexdump -C of a process's memory; repeated lines collapse to '*', bytes the image "
        + "has no page for show as '??'.")
final class HexdumpCommand extends CkptCommand {
    @Parameters(paramLabel = "IMAGE", description = "A .ckpt file, or anything a backend converts.")
    Path image;

    @Option(names = "--pid", required = true, description = "Process.")
    int pid;

    @Option(names = "--addr", required = true, paramLabel = "ADDR", description = "Start address (hex, 0x optional); must be in a memory area of the process.")
    String addr;

    @Option(names = "--len", defaultValue = "256", paramLabel = "N", description = "Bytes (decimal, 0x hex, or K/M suffix; default: ${DEFAULT-VALUE}).")
    String len;

    @Mixin
    JsonOption json;

    @Override
    protected int run() throws Exception {
        long a = Addresses.address(addr);
        long n = Addresses.length(len);
        long end = a + n;
        if (Long.compareUnsigned(end, a) < 0) end = -1L;  // clamp at the top of the address space
        try (ImageOpener.Opened opened = openImage(image)) {
            MemoryReader mem = new MemoryReader(new Inspector(opened.reader()));
            MemoryAreaRow area = mem.areaAt(pid, a);
            PrintWriter o = out();
            if (json.enabled()) {
                ObjectNode h = InspectJson.document(image.toString()).put("pid", pid).put("address", InspectJson.hex(a)).put("length", n);
                h.set("area", InspectJson.areaRef(area));
                try (JsonStream js = new JsonStream(o, h, "chunks")) {
                    mem.read(pid, a, end, (at, b, off, l, dumped) -> js.add(InspectJson.F.objectNode()
                            .put("address", InspectJson.hex(at)).put("length", l).put("dumped", dumped)
                            .put("hex", dumped ? HexFormat.of().formatHex(b, off, off + l) : null)));
                }
                return ExitCodes.OK;
            }
            o.printf("pid %d, %s (0x%x-0x%x)%n", pid, Areas.label(area), area.start(), area.end());
            Hexdump.Builder hb = new Hexdump.Builder(l -> o.println(l.text()));
            MemoryReader.Stats st = mem.read(pid, a, end, hb::add);
            hb.finish();
            o.println(Hexdump.address(end));
            if (st.inParent() > 0) {
                err().println("ckpt: note: " + st.inParent() + " of the bytes shown as ?? are in the parent image (an incremental image), "
                        + "not in this file; 'ckpt convert IMAGE --parent PARENT --flatten -o FULL.ckpt' makes an image that has them");
            }
        }
        return ExitCodes.OK;
    }
}
