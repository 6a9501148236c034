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
        @Doc("number of threads") int threads,
        @Doc("pid of the process tracing it (TracerPid of /proc/PID/status) at checkpoint time, 0 when not traced, null when unknown; since 1.2") Integer tracerPid,
        @Doc("LSM label (AppArmor profile or SELinux context) the process ran under, null when none or unknown (CRIU creds_entry.lsm_profile); since 1.2") String lsmProfile) {

    /** A row with the columns of CKPT 1.1; the columns added in 1.2 are null. */
    public ProcessRow(int pid, int ppid, int pgid, int sid, String comm, String exe, List<String> cmdline, List<String> env,
                      Long uid, Long euid, Long suid, Long fsuid, Long gid, Long egid, Long sgid, Long fsgid, List<Long> groups,
                      Long capEff, Long capPrm, String cwd, String root, String state, Integer exitCode, int threads) {
        this(pid, ppid, pgid, sid, comm, exe, cmdline, env, uid, euid, suid, fsuid, gid, egid, sgid, fsgid, groups, capEff,
                capPrm, cwd, root, state, exitCode, threads, null, null);
    }

    public ProcessRow withTracer(Integer tracer) {
        return new ProcessRow(pid, ppid, pgid, sid, comm, exe, cmdline, env, uid, euid, suid, fsuid, gid, egid, sgid, fsgid,
                groups, capEff, capPrm, cwd, root, state, exitCode, threads, tracer, lsmProfile);
    }

    public ProcessRow withLsmProfile(String profile) {
        return new ProcessRow(pid, ppid, pgid, sid, comm, exe, cmdline, env, uid, euid, suid, fsuid, gid, egid, sgid, fsgid,
                groups, capEff, capPrm, cwd, root, state, exitCode, threads, tracerPid, profile);
    }
}
