package dev.ckptkit.io.table;

@Doc("Interval timers, POSIX timers and timerfds.")
public record TimerRow(
        @Doc("pid") int pid,
        @Doc("itimer-real, itimer-virt, itimer-prof, posix or timerfd") String kind,
        @Doc("timer id (posix), fd id (timerfd) or 0") long id,
        @Doc("clock id, when known") Integer clock,
        @Doc("interval in nanoseconds") long intervalNs,
        @Doc("time to next expiry in nanoseconds") long valueNs,
        @Doc("signal delivered on expiry, when known") Integer signo) {}
