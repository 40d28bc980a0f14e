package paxos.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import paxos.api.GroupStatus;
import paxos.api.PaxosNode;
import paxos.api.spi.log.SyncPolicy;

/**
 * The loaded half of {@link MemoryBench}: three in-process nodes (one group, LevelDB logs synced,
 * {@value #HOLD_LOG_COUNT} instances of log kept behind the checkpoint) running the
 * {@link SegmentMachine} (it checkpoints every {@code SEGMENT_BYTES_MAX} of values, like an
 * application would, so the log and the executed-requests history since the checkpoint stay
 * bounded) under {@code --clients} closed-loop clients writing through the leader.
 * <ul>
 *   <li><b>In flight.</b> {@code --in-flight-seconds} times: the clients run for a second, then
 *       the leader's in-flight instance and queued proposal counts and the heap in use right
 *       after a full GC are taken (so only what is reachable: the proposals on their way, their
 *       instances, messages and log records not yet written, on all three nodes); the clients
 *       stop, and once nothing is outstanding the heap after a full GC again. The mean difference,
 *       divided by the clients (proposals outstanding) and by the leader's mean in-flight
 *       instances, is printed.</li>
 *   <li><b>Soak</b> ({@code --soak-seconds}): the clients run that long; every
 *       {@code --sample-seconds} the heap after a full GC is printed, and at the end the
 *       least-squares slope of those samples (KiB per minute) and the first and last ones.</li>
 * </ul>
 * The full GCs pause the nodes (about a few ms each at this heap size), so the write rate printed
 * is lower than {@code bench cluster}'s. LevelDB's memtables are on the heap and fill to their
 * write buffer before they flush: a saw-tooth of a few MiB per node, not growth.
 */
final class HeapUnderLoad implements AutoCloseable {
    private static final double MIB = 1 << 20;

    /** Instances of log the nodes keep behind their state machine's checkpoint. */
    private static final long HOLD_LOG_COUNT = 1000;
    private static final int LOG_SEGMENT_BYTES = 4 << 20;

    private final CatchUpCluster cluster;
    private final MemoryOptions o;
    private final int leader;

    HeapUnderLoad(MemoryOptions o) throws Exception {
        this.o = o;
        this.cluster = new CatchUpCluster(HOLD_LOG_COUNT, SyncPolicy.SYNC, LOG_SEGMENT_BYTES);
        for (int id = 1; id <= 3; id++) cluster.start(id);
        PaxosNode first = cluster.node(1).node();
        MemoryBench.retry(() -> first.propose(0, BenchCluster.STATE_MACHINE_ID, new byte[o.valueBytes()])
                .toCompletableFuture().get(30, TimeUnit.SECONDS));
        this.leader = first.status(0).leaderNodeId();
    }

    /**
     * The in-flight measurement; prints one line. Pairs of samples close in time: one while the
     * clients run, one right after they stopped and nothing is outstanding; the mean of the
     * pairs' differences, so that what grows slowly with the writes (LevelDB memtables, the
     * executed-requests history since the checkpoint) cancels out.
     */
    void inFlight() {
        LoadClients clients = new LoadClients(leaderNode(), o.valueBytes());
        long deltaSum = 0;
        long idleSum = 0;
        long inFlightSum = 0;
        long queuedSum = 0;
        int n = o.inFlightSeconds();
        for (int i = 0; i < n; i++) {
            clients.start(o.clients());
            sleepSeconds(1); // the pipeline fills
            GroupStatus s = leaderNode().status(0);
            inFlightSum += s.inFlightInstances();
            queuedSum += s.queuedProposals();
            long running = usedAfterGc(1);
            clients.stop();
            long idle = usedAfterGc(1);
            deltaSum += running - idle;
            idleSum += idle;
        }
        double delta = (double) deltaSum / n;
        double instances = (double) inFlightSum / n;
        System.out.printf(Locale.ROOT, "memory in flight: %d clients x %d B, 3 nodes, 1 group: heap after GC %.1f MiB idle, "
                        + "%+.2f MiB running (mean of %d pairs; leader: %.1f instances in flight, %.1f proposals queued); "
                        + "per outstanding proposal %.0f B, per in-flight instance %.0f B (%d writes, %d failed)%n",
                o.clients(), o.valueBytes(), idleSum / (double) n / MIB, delta / MIB, n, instances, (double) queuedSum / n,
                delta / o.clients(), instances > 0 ? delta / instances : Double.NaN, clients.completed(), clients.failed());
    }

    /** The soak; prints a line per sample and a summary line. */
    void soak() {
        LoadClients clients = new LoadClients(leaderNode(), o.valueBytes());
        long t0 = System.nanoTime();
        clients.start(o.clients());
        List<double[]> samples = new ArrayList<>(); // {minutes, bytes}
        long lastOps = 0;
        long deadline = t0 + TimeUnit.SECONDS.toNanos(o.soakSeconds());
        long next = t0;
        while (true) {
            next += TimeUnit.SECONDS.toNanos(o.sampleSeconds());
            if (next > deadline) break;
            LockSupport.parkNanos(next - System.nanoTime());
            long ops = clients.completed();
            long heap = usedAfterGc(1);
            double seconds = (System.nanoTime() - t0) / 1e9;
            samples.add(new double[] {seconds / 60, heap});
            System.out.printf(Locale.ROOT, "memory soak: t=%.0f s heap after GC %.1f MiB, %.0f writes/s%n", seconds,
                    heap / MIB, (ops - lastOps) / (double) o.sampleSeconds());
            System.out.flush();
            lastOps = ops;
        }
        clients.stop();
        if (samples.size() < 2) {
            System.out.println("memory soak: fewer than two samples (--soak-seconds below 2 x --sample-seconds)");
            return;
        }
        double max = samples.stream().mapToDouble(s -> s[1]).max().orElse(0);
        System.out.printf(Locale.ROOT, "memory soak: %d clients x %d B for %d s, %d samples: first %.1f MiB, last %.1f MiB, "
                        + "max %.1f MiB, slope %+.1f KiB/min (least squares); %d writes, %d failed%n", o.clients(),
                o.valueBytes(), o.soakSeconds(), samples.size(), samples.get(0)[1] / MIB,
                samples.get(samples.size() - 1)[1] / MIB, max / MIB, slope(samples) / 1024, clients.completed(),
                clients.failed());
    }

    /** Least-squares slope of y over x. */
    static double slope(List<double[]> points) {
        double n = points.size();
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (double[] p : points) {
            sx += p[0];
            sy += p[1];
            sxx += p[0] * p[0];
            sxy += p[0] * p[1];
        }
        double d = n * sxx - sx * sx;
        return d == 0 ? 0 : (n * sxy - sx * sy) / d;
    }

    private PaxosNode leaderNode() {
        return cluster.node(leader).node();
    }

    private static void sleepSeconds(int seconds) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (long left; (left = until - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
    }

    /** Heap in use right after a full GC, the lowest of {@code gcs}. */
    static long usedAfterGc(int gcs) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < gcs; i++) {
            memory.gc();
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
