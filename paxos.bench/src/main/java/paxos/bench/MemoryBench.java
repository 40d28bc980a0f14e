package paxos.bench;

import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import paxos.api.PaxosNode;
import paxos.api.spi.log.SyncPolicy;

/**
 * {@code ./paxos bench memory [--groups 64] [--clients 64] [--value-bytes 100] [--in-flight-seconds 10]
 * [--soak-seconds 0] [--sample-seconds 10]}: heap per idle group, then heap per in-flight proposal
 * and instance and, with {@code --soak-seconds}, a soak ({@link HeapUnderLoad}). Three in-process nodes (Netty
 * on 127.0.0.1, LevelDB logs, the counting state machine) are started once with one group and
 * once with {@code --groups}; in each, every group executes one write (so each has a leader and
 * its executor ran), then the heap in use after a full GC ({@link MemoryMXBean}, the lowest of
 * three GCs) is taken. Printed: both totals and {@code (N - 1)}'s difference divided by
 * {@code (N - 1) × 3 nodes}, the heap one more idle group costs on one node. Nothing is asserted.
 * Heap figures are {@link MemoryMXBean#getHeapMemoryUsage()} right after {@link MemoryMXBean#gc()}.
 * Exit code 2 for bad flags.
 */
public final class MemoryBench {
    private static final double MIB = 1 << 20;

    private MemoryBench() {}

    public static void main(String[] args) throws Exception {
        MemoryOptions o;
        try {
            o = MemoryOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(MemoryOptions.USAGE);
            System.exit(2);
            return;
        }
        int groups = o.groups();
        long one = settledHeap(1);
        long many = settledHeap(groups);
        double perGroup = (double) (many - one) / (groups - 1) / 3;
        System.out.printf(Locale.ROOT, "memory: 3 nodes, 1 group: heap %.1f MiB; %d groups: heap %.1f MiB; "
                + "per idle group per node: %.0f KiB (heap max %d MiB)%n", one / MIB, groups, many / MIB, perGroup / 1024,
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.flush();
        try (HeapUnderLoad load = new HeapUnderLoad(o)) {
            load.inFlight();
            if (o.soakSeconds() > 0) load.soak();
        }
        System.exit(0);
    }

    /** Heap in use after GC with a 3-node cluster of {@code groups} groups running, each having executed one write. */
    private static long settledHeap(int groups) throws Exception {
        BenchOptions o = new BenchOptions(List.of(1), 100, groups, 1, 0, false, SyncPolicy.NONE, 0);
        try (InProcessCluster cluster = new InProcessCluster(o)) {
            PaxosNode entry = cluster.entry();
            for (int g = 0; g < groups; g++) {
                int group = g;
                retry(() -> entry.propose(group, BenchCluster.STATE_MACHINE_ID, new byte[100]).toCompletableFuture()
                        .get(30, TimeUnit.SECONDS));
            }
            return HeapUnderLoad.usedAfterGc(3);
        }
    }

    /** The first writes may be refused while a node has not heard its peers yet: a bounded retry. */
    static void retry(java.util.concurrent.Callable<?> write) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                write.call();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) throw e;
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

}
