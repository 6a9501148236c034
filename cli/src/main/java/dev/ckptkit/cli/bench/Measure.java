package dev.ckptkit.cli.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/** Small measuring helpers shared by the benchmarks. */
public final class Measure {
    private Measure() {}

    public interface Body {
        void run() throws Exception;
    }

    /** Seconds taken by {@code body}. */
    public static double seconds(Body body) throws Exception {
        long t0 = System.nanoTime();
        body.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Best of {@code runs} timings: the least disturbed by the other core's work. */
    public static double best(int runs, Body body) throws Exception {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) best = Math.min(best, seconds(body));
        return best;
    }

    public static void resetPeakHeap() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
    }

    /** Sum over heap pools of their peak use since the last reset (an upper bound of the true peak). */
    public static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        return sum;
    }

    public static long maxHeap() {
        return Runtime.getRuntime().maxMemory();
    }

    public static String mib(long bytes) {
        return String.format("%.0f MiB", bytes / 1048576.0);
    }

    public static String rate(long bytes, double seconds) {
        return String.format("%.0f MiB/s", bytes / 1048576.0 / seconds);
    }
}
