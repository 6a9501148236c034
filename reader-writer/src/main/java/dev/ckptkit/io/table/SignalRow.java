package dev.ckptkit.io.table;

@Doc("Signal dispositions and pending signals.")
public record SignalRow(
        @Doc("pid") int pid,
        @Doc("thread id for thread-private pending signals, 0 for the process") int tid,
        @Doc("signal number") int signo,
        @Doc("action (a sigaction) or pending (a queued signal)") String kind,
        @Doc("handler address; 0 = SIG_DFL, 1 = SIG_IGN") Long handler,
        @Doc("sa_flags") Long flags,
        @Doc("sa_mask") Long mask,
        @Doc("sa_restorer") Long restorer) {}
