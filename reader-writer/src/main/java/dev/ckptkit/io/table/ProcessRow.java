package dev.ckptkit.io.table;

import java.util.List;

@Doc("One row per process.")
public record ProcessRow(
        @Doc("process id, as seen in the checkpointed pid namespace") int pid,
        @Doc("parent pid; 0 for the root of the image's tree when its parent is outside") int ppid,
        @Doc("process group id") int pgid,
        @Doc("session id") int sid,
        @Doc("command name (TASK_COMM, at most 15 bytes)") String comm,
        @Doc("path of the executable, when known") String exe,
        @Doc("argv, when known") List<String> cmdline,
        @Doc("environment as KEY=VALUE strings, when known") List<String> env,
        @Doc("real uid") Long uid,
        @Doc("effective uid") Long euid,
        @Doc("saved uid") Long suid,
        @Doc("filesystem uid") Long fsuid,
        @Doc("real gid") Long gid,
        @Doc("effective gid") Long egid,
        @Doc("saved gid") Long sgid,
        @Doc("filesystem gid") Long fsgid,
        @Doc("supplementary groups") List<Long> groups,
        @Doc("effective capability set, bit n = capability n") Long capEff,
        @Doc("permitted capability set") Long capPrm,
        @Doc("current working directory") String cwd,
        @Doc("root directory") String root,
        @Doc("task state: running, sleeping, stopped, zombie, dead") String state,
        @Doc("exit code for zombies") Integer exitCode,
        @Doc("number of threads") int threads) {}
