package paxos.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import paxos.impl.runtime.TransferOutcome;
import paxos.impl.runtime.TransferStatus;
import paxos.node.EmbeddedNode;

/**
 * {@code ./paxos bench catchup}: how fast a node that was down catches up, on loopback, with the
 * heap bounded (the {@code ./paxos} script runs it with {@code -Xmx256m}; the bound and the peak
 * are printed). Three in-process nodes ({@link CatchUpCluster}: LevelDB logs, Netty on 127.0.0.1,
 * a state machine that appends the values to files, {@link SegmentMachine}), one group. A node
 * that does not lead stops, {@code --mb} of values are written through the leader, the node
 * starts again and the clock runs from its start until it executed everything the others did:
 * <ul>
 *   <li>{@code log}: the peers still hold the log; the node learns the chosen values from it
 *       (catch-up requests), logs and executes them.</li>
 *   <li>{@code checkpoint}: the peers deleted that log (small retention; they restart so that no
 *       value stays in their memory); the node pulls the state machine's checkpoint, installs it
 *       and continues from the log. Printed beside the whole time: the transfer's own rate (first
 *       byte to installed), as its status reports it.</li>
 * </ul>
 * Two lines per phase on stdout: the rate, and its ratio to the aim and to the write rate of the
 * same run with the bounds that held:
 * <pre>catchup log: N MB in T s = X MB/s (heap peak P MB of max M MB)
 * catchup log ratio: R of the 100 MB/s aim, W x the write rate through Paxos in this run (...); bounds: ...</pre>
 * The CPU time of the measured window goes to stderr ({@link ProfileWindow}; with
 * {@code -Dpaxos.bench.jfr=PREFIX} also a flight recording of the window only).
 * MB are {@code 10^6} bytes of written values. The write rate (not the point) goes to stderr as a
 * {@code #} line. Nothing is asserted about the numbers. Exit code 2 for bad flags.
 */
public final class CatchUpBench {
    /** Instances kept behind the checkpoint when the log must be gone: small, so retention deletes it. */
    private static final long HOLD_SHORT = 20;
    private static final long HOLD_ALL = Long.MAX_VALUE / 4;
    private static final int SEGMENT_BYTES = 4 << 20;
    private static final int SEGMENT_BYTES_SHORT = 1 << 20;
    private static final Duration SETTLE = Duration.ofSeconds(120);
    private static final double MB = 1e6;

    private CatchUpBench() {}

    /** Entry point; see {@link CatchUpOptions#USAGE}. */
    public static void main(String[] args) throws Exception {
        CatchUpOptions o;
        try {
            o = CatchUpOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(CatchUpOptions.USAGE);
            System.exit(2);
            return;
        }
        System.out.printf(Locale.ROOT, "# catchup bench: 3 in-process nodes, Netty 127.0.0.1, LevelDB %s, appending state machine, "
                + "%d MB in values of %d B, heap max %d MB, %d cores%n", o.sync(), o.megabytes(), o.valueBytes(),
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
        if (o.jitWarmupMegabytes() > 0) {
            // the first catch-up in a JVM spent 35-40 % of its CPU in the JIT compilers (the learner's and the
            // serving node's catch-up paths are cold); a warm-up of each phase, printed on stderr only, lets the
            // measured lines show the catch-up path itself (the cold figures are the warm-up's '#' lines)
            CatchUpOptions w = o.warmup();
            System.err.printf(Locale.ROOT, "# JIT warm-up: each phase once with %d MB, not measured%n", w.megabytes());
            if (o.phases().contains(CatchUpOptions.LOG)) logPhase(w, false);
            if (o.phases().contains(CatchUpOptions.CHECKPOINT)) checkpointPhase(w, false);
        }
        if (o.phases().contains(CatchUpOptions.LOG)) logPhase(o, true);
        if (o.phases().contains(CatchUpOptions.CHECKPOINT)) checkpointPhase(o, true);
        System.exit(0);
    }

    private static void logPhase(CatchUpOptions o, boolean measured) throws Exception {
        try (CatchUpCluster cluster = new CatchUpCluster(HOLD_ALL, o.sync(), SEGMENT_BYTES)) {
            Behind b = behind(cluster, o);
            HeapPeak.reset();
            double seconds;
            EmbeddedNode c;
            try (ProfileWindow w = ProfileWindow.open(measured ? "log" : "warmup-log")) {
                long t0 = System.nanoTime();
                c = cluster.start(b.lagging());
                awaitUntil("node " + b.lagging() + " to execute instance " + b.target(),
                        () -> c.node().status(0).executedInstance() >= b.target(), o);
                seconds = (System.nanoTime() - t0) / 1e9;
            }
            boolean viaCheckpoint = c.engine().transfers().stream().anyMatch(t -> "receive".equals(t.direction()));
            String detail = viaCheckpoint ? " (took a checkpoint: the log was not retained)" : "";
            if (!measured) {
                warmupLine("log", b.bytes(), seconds, detail);
                return;
            }
            print("log", b.bytes(), seconds, detail);
            printRatio("log", b, seconds);
        }
    }

    private static void checkpointPhase(CatchUpOptions o, boolean measured) throws Exception {
        try (CatchUpCluster cluster = new CatchUpCluster(HOLD_SHORT, o.sync(), SEGMENT_BYTES_SHORT)) {
            Behind b = behind(cluster, o);
            List<Integer> peers = new ArrayList<>(List.of(1, 2, 3));
            peers.remove(Integer.valueOf(b.lagging()));
            awaitUntil("the peers to delete the log node " + b.lagging() + " needs",
                    () -> peers.stream().allMatch(id -> retained(cluster, id) > b.lastExecuted() + 1), o);
            for (int id : peers) { // a restarted peer holds no chosen value in memory, only its log
                cluster.stop(id);
                cluster.start(id);
            }
            HeapPeak.reset();
            double seconds;
            EmbeddedNode c;
            try (ProfileWindow w = ProfileWindow.open(measured ? "checkpoint" : "warmup-checkpoint")) {
                long t0 = System.nanoTime();
                c = cluster.start(b.lagging());
                awaitUntil("node " + b.lagging() + " to install a checkpoint", () -> received(c) != null && received(c).outcome() != null, o);
                awaitUntil("node " + b.lagging() + " to execute instance " + b.target(),
                        () -> c.node().status(0).executedInstance() >= b.target(), o);
                seconds = (System.nanoTime() - t0) / 1e9;
            }
            TransferStatus t = received(c);
            String transfer = t.outcome() == TransferOutcome.INSTALLED
                    ? String.format(Locale.ROOT, "; transfer %.1f MB in %d files at %.1f MB/s (first byte to installed)",
                            t.bytes() / MB, t.files(), t.bytesPerSecond() / MB)
                    : "; transfer " + t.describeOutcome();
            if (!measured) {
                warmupLine("checkpoint", b.bytes(), seconds, transfer);
                return;
            }
            print("checkpoint", b.bytes(), seconds, transfer);
            printRatio("checkpoint", b, seconds);
        }
    }

    /**
     * Starts the three nodes, stops a node that does not lead once it executed the warm-up, writes
     * the payload through the leader and waits until every running node executed it (so that no
     * write is still on its way while the stopped node catches up).
     */
    private static Behind behind(CatchUpCluster cluster, CatchUpOptions o) throws Exception {
        for (int id = 1; id <= 3; id++) cluster.start(id);
        // until node 1 heard its peers it refuses writes at once
        awaitUntil("a leader and a reachable quorum", () -> cluster.node(1).node().status(0).leaderNodeId() != 0
                && cluster.node(1).engine().quorumReachable(0), o);
        cluster.write(1, 10, 100);
        int leader = cluster.node(1).node().status(0).leaderNodeId();
        int lagging = leader == 3 ? 2 : 3;
        long warm = executed(cluster, leader);
        awaitUntil("node " + lagging + " to execute the warm-up", () -> executed(cluster, lagging) >= warm, o);
        cluster.stop(lagging);
        long t0 = System.nanoTime();
        cluster.write(leader, o.values(), o.valueBytes());
        long bytes = (long) o.values() * o.valueBytes();
        double writeSeconds = (System.nanoTime() - t0) / 1e9;
        System.err.printf(Locale.ROOT, "# wrote %.1f MB through Paxos in %.1f s (node %d down, node %d leads)%n", bytes / MB,
                writeSeconds, lagging, leader);
        if (cluster.node(leader).node().status(0).leaderNodeId() != leader)
            throw new IllegalStateException("the leader changed while writing; run again");
        long target = executed(cluster, leader);
        int other = 6 - leader - lagging;
        awaitUntil("node " + other + " to execute instance " + target, () -> executed(cluster, other) >= target, o);
        return new Behind(lagging, bytes, warm, target, writeSeconds);
    }

    /**
     * @param lagging the node that was down
     * @param bytes value bytes written while it was down
     * @param lastExecuted the last instance it executed before
     * @param target the instance the others executed
     * @param writeSeconds how long writing them through Paxos took (same run, same machine)
     */
    private record Behind(int lagging, long bytes, long lastExecuted, long target, double writeSeconds) {}

    /** The aim, in MB/s: catch-up from the log and through a checkpoint. */
    static final double AIM_MB_PER_SECOND = 100;

    /**
     * A second line per phase: the rate as a ratio to the aim and to writing the same values
     * through Paxos in this run (a reference measured on the same machine at the same moment:
     * this machine is shared, and absolute rates move with its load), and the bounds that held.
     */
    private static void printRatio(String phase, Behind b, double seconds) {
        double rate = b.bytes() / MB / seconds;
        System.out.printf(Locale.ROOT, "catchup %s ratio: %.2f of the %.0f MB/s aim, %.2fx the write rate through Paxos "
                        + "in this run (%.1f MB/s); bounds: heap max %d MB for the 3 nodes, %s%n", phase, rate / AIM_MB_PER_SECOND,
                AIM_MB_PER_SECOND, b.writeSeconds() / seconds, b.bytes() / MB / b.writeSeconds(),
                Runtime.getRuntime().maxMemory() >> 20, paxos.impl.runtime.CatchUpLimits.describe());
        System.out.flush();
    }

    /** The warm-up phase's rate: the first catch-up of a cold JVM. */
    private static void warmupLine(String phase, long bytes, double seconds, String detail) {
        System.err.printf(Locale.ROOT, "# JIT warm-up %s (cold JVM, not measured): %.1f MB in %.2f s = %.1f MB/s%s%n", phase,
                bytes / MB, seconds, bytes / MB / seconds, detail);
    }

    private static void print(String phase, long bytes, double seconds, String detail) {
        System.out.printf(Locale.ROOT, "catchup %s: %.1f MB in %.2f s = %.1f MB/s (heap peak %d MB of max %d MB)%s%n",
                phase, bytes / MB, seconds, bytes / MB / seconds, HeapPeak.peakBytes() >> 20,
                Runtime.getRuntime().maxMemory() >> 20, detail);
        System.out.flush();
    }

    private static long executed(CatchUpCluster cluster, int id) {
        return cluster.node(id).node().status(0).executedInstance();
    }

    private static long retained(CatchUpCluster cluster, int id) {
        return cluster.node(id).node().status(0).minRetainedInstance();
    }

    private static TransferStatus received(EmbeddedNode n) {
        return n.engine().transfers().stream().filter(t -> t.group() == 0 && "receive".equals(t.direction()))
                .findFirst().orElse(null);
    }

    /** Polls {@code condition} every 10 ms; fails after a bound that grows with the payload. */
    private static void awaitUntil(String what, BooleanSupplier condition, CatchUpOptions o) {
        long deadline = System.nanoTime() + SETTLE.toNanos() + Duration.ofSeconds(o.megabytes()).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("timed out waiting for " + what);
            LockSupport.parkNanos(10_000_000);
        }
    }

    /** The heap's peak use since {@link #reset()}: the sum of every heap pool's peak (an upper bound). */
    static final class HeapPeak {
        private HeapPeak() {}

        static void reset() {
            System.gc();
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
                if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
        }

        static long peakBytes() {
            long sum = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
                if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
            return sum;
        }
    }
}
