package dev.ckptkit.io.table;

@Doc("Resource limits per process.")
public record RlimitRow(
        @Doc("pid") int pid,
        @Doc("resource name, e.g. RLIMIT_NOFILE") String resource,
        @Doc("soft limit; -1 = unlimited") long soft,
        @Doc("hard limit; -1 = unlimited") long hard) {}
