package dev.ckptkit.backend.userspace;

import dev.ckptkit.io.manifest.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine a live checkpoint is taken on (what a restart must match: kernel, CPU features, XSAVE). */
final class HostInfo {
    private HostInfo() {}

    static Manifest.Host current() {
        String host = read("/proc/sys/kernel/hostname");
        String kernel = read("/proc/sys/kernel/osrelease");
        String vendor = null, model = null;
        List<String> flags = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int c = line.indexOf(':');
                if (c < 0) continue;
                String k = line.substring(0, c).trim(), v = line.substring(c + 1).trim();
                if (k.equals("vendor_id") && vendor == null) vendor = v;
                else if (k.equals("model name") && model == null) model = v;
                else if (k.equals("flags") && flags == null) flags = List.of(v.split(" "));
                if (flags != null && model != null && vendor != null) break;
            }
        } catch (IOException | RuntimeException e) {
            // leave the CPU fields out: the manifest's host block is informative
        }
        return new Manifest.Host(host, kernel, System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch"),
                4096, vendor, model, flags, null, null);
    }

    private static String read(String p) {
        try {
            return Files.readString(Path.of(p)).trim();
        } catch (IOException e) {
            return null;
        }
    }
}
