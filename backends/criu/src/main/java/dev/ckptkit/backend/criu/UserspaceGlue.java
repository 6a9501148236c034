package dev.ckptkit.backend.criu;

import dev.ckptkit.io.CkptReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * What the userspace backend (libckpt.so) keeps outside the common tables, read from its native record
 * {@code userspace/glue-PID.properties}: the exact brk and, per thread, where glibc keeps the thread's tid (the
 * kernel's clear_tid_address for glibc threads). CRIU has fields for both (mm_start_brk/mm_brk,
 * thread_info.clear_tid_addr), so they survive the trip to CRIU and back.
 */
final class UserspaceGlue {
    private final Properties p;

    private UserspaceGlue(Properties p) {
        this.p = p;
    }

    static String recordName(int pid) {
        return "userspace/glue-" + pid + ".properties";
    }

    /** The glue of {@code pid}; empty when the image has none (it did not come from the userspace backend). */
    static UserspaceGlue of(CkptReader r, int pid) throws IOException {
        Properties p = new Properties();
        String name = recordName(pid);
        if (r.nativeNames().contains(name)) p.load(new StringReader(new String(r.nativeRecord(name), StandardCharsets.UTF_8)));
        return new UserspaceGlue(p);
    }

    /** The value of {@code key}, or 0 when absent or not a number. */
    long get(String key) {
        String v = p.getProperty(key);
        if (v == null) return 0;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    long startBrk() { return get("start_brk"); }

    long brk() { return get("brk"); }

    long tidAddress(int tid) { return get("tid_addr." + tid); }
}
