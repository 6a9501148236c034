package dev.ckptkit.backend.userspace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Checkpoint and restart of one process with N MiB of dirtied memory: libckpt.so + ckpt-loader against CRIU's dump
 * and restore of the same workload in the same run. Workloads are started with {@code setsid -f} so they are not
 * children of this JVM (CRIU ptraces them; the JVM's reaper would take the stops). Figures, not assertions.
 *
 * <p>Two figures for the checkpoint: in this JVM after an untimed warm-up (the mechanism), and, when a command is
 * given, the {@code ckpt checkpoint} command in a new JVM (what a user waits for, start-up included). Every timed
 * checkpoint and restart starts with the same supply of just-freed memory: see {@link #primeFreeMemory}.
 */
public final class BenchUserspace {
    private static final Duration T = Duration.ofMinutes(5);

    /**
     * Seconds and bytes; CRIU fields are NaN/-1 with {@code criuError} set when CRIU could not run.
     * {@code checkpointSeconds}: in this JVM, warmed up; {@code commandSeconds}: the checkpoint command's wall time
     * (a new JVM), NaN when none was given. {@code *CpuSeconds}: CPU time (user + system) of this JVM during the
     * checkpoint, of the criu process during its dump.
     * {@code synced}: the checkpoint ended with its image on disk (the default), so it is compared with CRIU's dump
     * followed by a sync of its image files ({@code criuSyncSeconds}); without, with the dump alone (CRIU does not sync).
     */
    public record Result(int mib, boolean synced, double checkpointSeconds, double checkpointStreamSeconds, double checkpointCpuSeconds,
                         double commandSeconds, double restartSeconds, long imageBytes, double criuDumpSeconds, double criuSyncSeconds,
                         double criuDumpCpuSeconds, double criuRestoreSeconds, long criuImageBytes, String loadAverage, String criuError) {
        /** CRIU's time for the same work: its dump, plus the sync of its images when the checkpoint was synced. */
        public double criuSeconds() { return criuDumpSeconds + (synced ? criuSyncSeconds : 0); }

        public double checkpointRatio() { return checkpointSeconds / criuSeconds(); }

        /** NaN when no command was measured. */
        public double commandRatio() { return commandSeconds / criuSeconds(); }

        public double restartRatio() { return restartSeconds / criuRestoreSeconds; }

        public double sizeRatio() { return (double) imageBytes / criuImageBytes; }

        Result withCommandSeconds(double seconds) {
            return new Result(mib, synced, checkpointSeconds, checkpointStreamSeconds, checkpointCpuSeconds, seconds, restartSeconds,
                    imageBytes, criuDumpSeconds, criuSyncSeconds, criuDumpCpuSeconds, criuRestoreSeconds, criuImageBytes, loadAverage, criuError);
        }

        /** CRIU's side of the run, or its error (figures NaN/-1); the load average is read again. */
        Result withCriu(double dump, double sync, double dumpCpu, double restore, long bytes, String error) {
            return new Result(mib, synced, checkpointSeconds, checkpointStreamSeconds, checkpointCpuSeconds, commandSeconds, restartSeconds,
                    imageBytes, dump, sync, dumpCpu, restore, bytes, BenchUserspace.loadAverage(), error);
        }
    }

    private final NativeTools tools;
    private final Path criu;
    private final Path scratch;
    private final boolean dedup;
    private final boolean sync;
    private final CheckpointCommand command;
    private boolean warmedUp;

    /** The command line that checkpoints {@code pid} into {@code image} and ends it, with the bench's dedup and sync. */
    @FunctionalInterface
    public interface CheckpointCommand {
        List<String> of(long pid, Path image);
    }

    /**
     * {@code dedup}: write the image deduplicated (SHA-256 of every page), as {@code ckpt checkpoint --dedup};
     * {@code sync}: force it to disk, as {@code ckpt checkpoint} does unless {@code --no-sync}; {@code command}: the
     * same checkpoint as a command to time, or null.
     */
    public BenchUserspace(NativeTools tools, Path criu, Path scratch, boolean dedup, boolean sync, CheckpointCommand command) {
        this.tools = tools;
        this.criu = criu;
        this.scratch = scratch;
        this.dedup = dedup;
        this.sync = sync;
        this.command = command;
    }

    public Result run(int mib) throws IOException, InterruptedException {
        if (!warmedUp) {
            // class loading and JIT of a first checkpoint belong to the command's figure, not to the mechanism's
            checkpointAndRestart(Math.min(mib, 32));
            warmedUp = true;
        }
        Result mine = checkpointAndRestart(mib);
        if (command != null) mine = mine.withCommandSeconds(timeCommand(mib));
        if (criu == null) return mine;
        try {
            return criu(mine);
        } catch (IOException e) {
            return mine.withCriu(Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1, e.getMessage());
        }
    }

    private Result checkpointAndRestart(int mib) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(scratch.resolve("userspace-" + mib));
        Path status = dir.resolve("status"), image = dir.resolve("bench.ckpt");
        long pid = start(mib, status, true);
        ProcessHandle restored = null;
        double ckpt, restart, stream, cpu;
        try {
            awaitSocket(pid);
            primeFreeMemory(mib);
            long t0 = System.nanoTime(), cpu0 = processCpuNanos();
            var opts = Checkpointer.defaultOptions((int) pid).withDedup(dedup).withSync(sync);
            var c = new Checkpointer().checkpoint(new Checkpointer.Request((int) pid, image, true, List.of(), Map.of(), null, opts));
            ckpt = (System.nanoTime() - t0) / 1e9;
            stream = c.streamNanos() / 1e9;
            cpu = (processCpuNanos() - cpu0) / 1e9;
            awaitGone(pid);
            Files.deleteIfExists(status);
            primeFreeMemory(2L * mib);  // the image read into the page cache and the process's memory
            t0 = System.nanoTime();
            Restarter.Restarted rs = new Restarter(tools).restart(new Restarter.Request(image, null, Map.of(), List.of(), false, T));
            restart = (System.nanoTime() - t0) / 1e9;
            restored = rs.process().toHandle();
            awaitStatus(status);  // it really runs again
        } finally {
            kill(pid);
            if (restored != null) restored.destroyForcibly();
        }
        long size = Files.size(image);
        Files.delete(image);
        return new Result(mib, sync, ckpt, stream, cpu, Double.NaN, restart, size, Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1,
                loadAverage(), "no criu (set CKPT_CRIU)");
    }

    /** Wall time of the checkpoint command on a new workload, from its start to its exit. */
    private double timeCommand(int mib) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(scratch.resolve("command-" + mib));
        Path status = dir.resolve("status"), image = dir.resolve("bench.ckpt");
        long pid = start(mib, status, true);
        try {
            awaitSocket(pid);
            primeFreeMemory(mib);
            long t0 = System.nanoTime();
            exec("the checkpoint command", dir.resolve("checkpoint.log"), command.of(pid, image).toArray(String[]::new));
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (!Files.isRegularFile(image)) throw new IOException("the checkpoint command wrote no " + image);
            return seconds;
        } finally {
            kill(pid);
            Files.deleteIfExists(image);
        }
    }

    /**
     * Writes and deletes a file of {@code mib} plus 512 MiB right before a timed checkpoint or restart, so that every
     * tool finds just-freed pages for all it allocates: the image in the page cache, the restored process, and its own
     * memory (a new JVM for the command: about 120 MiB). On a VM that reports free memory to its host (free page reporting,
     * virtio-balloon), a page not used for about two seconds goes back to the host and the next write into it pays a
     * host fault: 1 GiB into such pages took 1-3 s here, into just-freed ones 0.2 s, and which kind a tool got
     * depended on what ran before it.
     */
    private void primeFreeMemory(long mib) throws IOException {
        Path f = scratch.resolve("page-cache-primer");
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long i = 0; i < mib + 512L; i++) {
                zeros.clear();
                while (zeros.hasRemaining()) ch.write(zeros);
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private Result criu(Result mine) throws IOException, InterruptedException {
        int mib = mine.mib();
        Path dir = Files.createDirectories(scratch.resolve("criu-" + mib));
        Path status = dir.resolve("status"), images = dir.resolve("images");
        // a fresh directory, as the checkpoint writes a fresh file: overwriting the last run's images would hand
        // criu the page-cache pages their truncation frees, which on a VM are far cheaper to write than new ones
        dev.ckptkit.io.AtomicFiles.deleteTree(images);
        Files.createDirectories(images);
        long pid = start(mib, status, false);
        try {
            primeFreeMemory(mib);
            long t0 = System.nanoTime();
            Path times = dir.resolve("dump.cpu");
            exec("criu dump", dir.resolve("dump.log"), "/usr/bin/time", "-f", "%U %S", "-o", times.toString(), criu.toString(), "dump", "-t",
                    Long.toString(pid), "-D", images.toString());
            double dump = (System.nanoTime() - t0) / 1e9;
            String[] us = Files.readString(times).trim().split("\\s+");
            double dumpCpu = Double.parseDouble(us[us.length - 2]) + Double.parseDouble(us[us.length - 1]);
            t0 = System.nanoTime();
            List<String> syncCmd = new ArrayList<>(List.of("sync"));
            try (Stream<Path> files = Files.walk(images)) {
                files.filter(Files::isRegularFile).forEach(f -> syncCmd.add(f.toString()));
            }
            exec("sync", dir.resolve("sync.log"), syncCmd.toArray(String[]::new));
            double synced = (System.nanoTime() - t0) / 1e9;
            // a durable checkpoint drops what it synced from the page cache: both restarts then read from disk
            if (mine.synced()) {
                for (String f : syncCmd.subList(1, syncCmd.size())) exec("dropping " + f + " from the page cache",
                        dir.resolve("drop.log"), "dd", "if=" + f, "iflag=nocache", "count=0", "status=none");
            }
            awaitGone(pid);
            long bytes = treeSize(images);
            Files.deleteIfExists(status);
            primeFreeMemory(2L * mib);
            t0 = System.nanoTime();
            exec("criu restore", dir.resolve("restore.log"), criu.toString(), "restore", "-d", "-D", images.toString());
            double restore = (System.nanoTime() - t0) / 1e9;
            awaitStatus(status);
            return mine.withCriu(dump, synced, dumpCpu, restore, bytes, null);
        } finally {
            kill(pid);
            dev.ckptkit.io.AtomicFiles.deleteTree(images);  // as the checkpoint's image is deleted after its run
        }
    }

    /** Starts the workload outside this JVM's children and returns its pid once it has dirtied its memory. */
    private long start(int mib, Path status, boolean preload) throws IOException, InterruptedException {
        Files.deleteIfExists(status);  // a previous run's workload left its last line
        List<String> cmd = new ArrayList<>(List.of("setsid", "-f", tools.benchWorkload().toString(), Integer.toString(mib), status.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true);
        if (preload) pb.environment().put("LD_PRELOAD", tools.library().toString());
        else pb.environment().remove("LD_PRELOAD");
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) throw new IOException("setsid did not return");
        return Long.parseLong(awaitStatus(status).split(" ")[1]);
    }

    private static String awaitStatus(Path status) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(status)) {
                String s = Files.readString(status).trim();
                if (s.split(" ").length >= 2) return s;
            }
            Thread.sleep(20);
        }
        throw new IOException("benchmark workload did not report in " + status.getParent());
    }

    private static void awaitSocket(long pid) throws IOException, InterruptedException {
        if (!Checkpointer.awaitSocket((int) pid, T)) throw new IOException("pid " + pid + " never opened its checkpoint socket");
    }

    private static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) Thread.sleep(10);
    }

    private static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    private static void exec(String what, Path log, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(T.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(what + " timed out; see " + log);
        }
        if (p.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new IOException(what + " failed (exit " + p.exitValue() + "): " + (lines.isEmpty() ? "" : lines.getLast()));
        }
    }

    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The other work on the machine matters on a small shared box: printed with every row. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    public static String table(List<Result> results) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%6s %5s %8s %9s %9s %8s %11s %7s %9s %9s %10s %9s %9s %7s %6s %6s %9s %7s  %s%n", "MiB", "sync",
                "ckpt s", "stream s", "ckpt cpu", "cmd s", "criu dump s", "sync s", "criu cpu", "restart s", "criu rst s", "ckpt MiB",
                "criu MiB", "ckpt x", "cmd x", "cpu x", "restart x", "size x", "load avg"));
        for (Result r : results) {
            b.append(String.format(Locale.ROOT, "%6d %5s %8.3f %9.3f %9.3f %8.3f %11.3f %7.3f %9.3f %9.3f %10.3f %9.1f %9.1f %7.2f %6.2f %6.2f %9.2f %7.3f  %s%n",
                    r.mib(), r.synced() ? "yes" : "no", r.checkpointSeconds(), r.checkpointStreamSeconds(), r.checkpointCpuSeconds(),
                    r.commandSeconds(), r.criuDumpSeconds(), r.criuSyncSeconds(), r.criuDumpCpuSeconds(), r.restartSeconds(),
                    r.criuRestoreSeconds(), r.imageBytes() / 1048576.0, r.criuImageBytes() / 1048576.0, r.checkpointRatio(),
                    r.commandRatio(), r.checkpointCpuSeconds() / r.criuDumpCpuSeconds(), r.restartRatio(), r.sizeRatio(), r.loadAverage()));
            if (r.criuError() != null) b.append("  criu: ").append(r.criuError()).append('\n');
        }
        b.append("ratios are userspace / CRIU (goal: checkpoint <= 1.5x); ckpt: in this JVM after an untimed warm-up;\n"
                + "cmd: 'ckpt checkpoint' as a command, a new JVM started for it, on another workload of the same size;\n"
                + "a synced checkpoint (its image on disk when it returns, the default) is compared with criu dump + sync of its\n"
                + "images, one with --no-sync with criu dump alone (criu does not sync); every timed checkpoint and restart starts\n"
                + "right after a file 512 MiB larger than the memory it needs was written and deleted (the same just-freed memory\n"
                + "for each); after a synced checkpoint both restarts read their image from disk (criu's is dropped from the page\n"
                + "cache, as the checkpoint drops its own);\n"
                + "cpu: this JVM's CPU time during the checkpoint (the target's own share, libckpt.so copying its memory, is not\n"
                + "included) vs criu's user+system\n");
        return b.toString();
    }
}
