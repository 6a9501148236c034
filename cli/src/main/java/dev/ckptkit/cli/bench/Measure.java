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

    /**
     * Largest heap in use just after a garbage collection while it is open: the live set, which is what "constant
     * heap" is about (peak usage before a collection also counts garbage the collector had not yet needed to free).
     */
    public static final class LiveHeap implements AutoCloseable {
        private final java.util.List<Runnable> undo = new java.util.ArrayList<>();
        private final java.util.concurrent.atomic.AtomicLong max = new java.util.concurrent.atomic.AtomicLong();

        public LiveHeap() {
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (!(gc instanceof javax.management.NotificationEmitter em)) continue;
                javax.management.NotificationListener l = (n, h) -> {
                    if (!n.getType().equals(com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) return;
                    var info = com.sun.management.GarbageCollectionNotificationInfo.from((javax.management.openmbean.CompositeData) n.getUserData());
                    long used = info.getGcInfo().getMemoryUsageAfterGc().values().stream().mapToLong(java.lang.management.MemoryUsage::getUsed).sum();
                    max.accumulateAndGet(used, Math::max);
                };
                em.addNotificationListener(l, null, null);
                undo.add(() -> {
                    try {
                        em.removeNotificationListener(l);
                    } catch (javax.management.ListenerNotFoundException ignored) {
                        // already gone
                    }
                });
            }
        }

        /** Max live heap seen; includes non-heap pools reported by the collector (small). */
        public long max() { return max.get(); }

        @Override
        public void close() {
            undo.forEach(Runnable::run);
        }
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
