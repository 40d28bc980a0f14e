package paxos.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import paxos.api.GroupStatus;
import paxos.api.PaxosNode;

/**
 * {@code ./paxos bench cluster}: end-to-end throughput and latency of a 3-node cluster over Netty
 * on 127.0.0.1 with LevelDB logs and fsync ({@code SyncPolicy.SYNC}, group commit). For each client
 * count C, C closed-loop threads each propose a fresh value through one node and wait until it
 * executed there; after a warm-up, a measured window gives one line on stdout:
 *
 * <pre>system|mode|C|ops/s|p50_ms|p99_ms|p99.9_ms|fsync/op</pre>
 *
 * <p>After it, two lines give the yardstick measured in the same run, on the same disk: the
 * 1-record fsync floor (one thread appending one record-sized buffer to a file in the benchmark's
 * directory and forcing it, {@code StorageBench}'s floor; half a second right before and half right
 * after each window, while no client runs, the mean printed) and the window's ratios to it:
 *
 * <pre>floor|fsync-1-record|C|records/s|p50_ms
 * ratio|mode|C|ops/s÷floor|p50÷floor_p50|aim</pre>
 *
 * The aims (issue 13): C=64 at least {@value #AIM_C64} times the floor's records/s, C=16 at least
 * {@value #AIM_C16}, C=1 p50 at most {@value #AIM_C1_P50} times the floor's p50.
 *
 * <p>fsync/op is the three log stores' own fsync counters ({@code LogStore.stats().fsyncs()})
 * summed over the window, divided by the operations completed in it. Diagnostics (leader, mean
 * commands per instance, errors) go to stderr as {@code #} lines. The cluster is shared by every C
 * (one warm-up each). In-process mode proposes through the node leading group 0; 3-process mode
 * through node 1, which runs in this JVM while nodes 2 and 3 run in child JVMs
 * ({@code paxos.node.tool.NodeProcess}); node 1 starts with a shorter election timeout so that it
 * leads. Before the first window, {@code --jit-warmup S} seconds (15 by default) of unmeasured load
 * at the largest client count let the JIT compile the engine. With {@code --route leader}, each
 * client proposes through the node leading its group instead (in-process, where groups' leaders
 * spread over the three nodes).
 */
public final class ClusterBench {
    private static final long LATENCY_MAX_MICROS = TimeUnit.SECONDS.toMicros(60);
    private static final double AIM_C64 = 13;
    private static final double AIM_C16 = 4.4;
    private static final double AIM_C1_P50 = 3;
    private static final long FLOOR_HALF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private ClusterBench() {}

    /** Entry point; see {@link BenchOptions#USAGE}. */
    public static void main(String[] args) throws Exception {
        BenchOptions o;
        try {
            o = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        String system = "paxos-platform-" + version();
        try (BenchCluster cluster = o.processes() ? new ProcessCluster(o) : new InProcessCluster(o)) {
            settle(cluster, o);
            System.err.println("# system|mode|C|ops/s|p50_ms|p99_ms|p99.9_ms|fsync/op");
            int recordBytes = StorageBench.HEADER_BYTES + StorageBench.BALLOT_BYTES + o.valueBytes();
            warmJit(cluster, o);
            for (int c : o.clients()) {
                StorageBench.Result before = StorageBench.floor(cluster.dir.resolve("floor-" + c + "-before"), recordBytes, 1,
                        FLOOR_HALF_NANOS);
                Window w = measure(cluster, o, c);
                StorageBench.Result after = StorageBench.floor(cluster.dir.resolve("floor-" + c + "-after"), recordBytes, 1,
                        FLOOR_HALF_NANOS);
                StorageBench.Result floor = StorageBench.mean(before, after);
                System.out.printf(Locale.ROOT, "%s|%s|%d|%.0f|%.2f|%.2f|%.2f|%.3f%n", system, cluster.mode(), c,
                        w.opsPerSecond(), w.millis(50), w.millis(99), w.millis(99.9), w.fsyncsPerOp());
                printFloor(cluster.mode(), c, w, floor);
                System.out.flush();
            }
        }
        System.exit(0); // child JVMs are gone; do not wait for stray non-daemon threads
    }

    /** The floor line and the window's ratios to it (with the aim, where issue 13 sets one). */
    private static void printFloor(String mode, int clients, Window w, StorageBench.Result floor) {
        double floorP50Millis = Math.max(1, floor.p50Micros()) / 1000.0;
        double speed = w.opsPerSecond() / floor.recordsPerSecond();
        double p50 = w.millis(50) / floorP50Millis;
        System.out.printf(Locale.ROOT, "floor|fsync-1-record|%d|%.0f|%.3f%n", clients, floor.recordsPerSecond(), floorP50Millis);
        String aim = switch (clients) {
            case 64 -> String.format(Locale.ROOT, "ops/s %s %.1fx", speed >= AIM_C64 ? "met >=" : "MISSED <", AIM_C64);
            case 16 -> String.format(Locale.ROOT, "ops/s %s %.1fx", speed >= AIM_C16 ? "met >=" : "MISSED <", AIM_C16);
            case 1 -> String.format(Locale.ROOT, "p50 %s %.1fx", p50 <= AIM_C1_P50 ? "met <=" : "MISSED >", AIM_C1_P50);
            default -> "-";
        };
        System.out.printf(Locale.ROOT, "ratio|%s|%d|%.2f|%.2f|%s%n", mode, clients, speed, p50, aim);
    }

    /** Proposes until every group has chosen a value (a leader exists), at most 60 s. */
    private static void settle(BenchCluster cluster, BenchOptions o) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int g = 0; g < o.groups(); g++) {
            while (true) {
                try {
                    cluster.entry().propose(g, BenchCluster.STATE_MACHINE_ID, new byte[o.valueBytes()])
                            .toCompletableFuture().get(5, TimeUnit.SECONDS);
                    break;
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) throw new IllegalStateException("no leader for group " + g + " within 60 s", e);
                }
            }
        }
        if (cluster instanceof InProcessCluster in) {
            int leader = in.entry().status(0).leaderNodeId();
            if (leader != 0) in.chooseEntry(leader);
        }
        System.err.println("# " + cluster.mode() + ": proposing through node " + cluster.entry().nodeId()
                + ", leader of group 0: " + cluster.entry().status(0).leaderNodeId() + ", sync " + o.sync());
    }

    /**
     * Load at the largest client count, unmeasured, for {@code --jit-warmup} seconds: measured on this
     * 2-core machine, the first window of a fresh JVM spent about a quarter of its CPU samples in the
     * C2 compiler and twice the CPU per operation of a later window at the same C.
     */
    private static void warmJit(BenchCluster cluster, BenchOptions o) throws InterruptedException {
        if (o.jitWarmupSeconds() == 0) return;
        int clients = java.util.Collections.max(o.clients());
        Client[] threads = startClients(cluster, o, clients);
        TimeUnit.SECONDS.sleep(o.jitWarmupSeconds());
        long ops = 0;
        for (Client t : threads) t.running = false;
        for (Client t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(40));
            ops += t.completed.get();
        }
        System.err.printf(Locale.ROOT, "# JIT warm-up: C=%d for %d s, %d ops, not measured%n", clients, o.jitWarmupSeconds(), ops);
    }

    /** Starts {@code clients} closed-loop threads; client {@code i} writes to group {@code i % groups}. */
    private static Client[] startClients(BenchCluster cluster, BenchOptions o, int clients) {
        PaxosNode[] through = routes(cluster, o);
        Client[] threads = new Client[clients];
        for (int i = 0; i < clients; i++) {
            threads[i] = new Client(through[i % o.groups()], i, i % o.groups(), o.valueBytes());
            threads[i].start();
        }
        return threads;
    }

    /** One measured window for {@code clients} closed-loop threads. */
    private static Window measure(BenchCluster cluster, BenchOptions o, int clients) throws Exception {
        PaxosNode entry = cluster.entry();
        System.err.println("# C=" + clients + ": leaders by group " + leaders(entry, o.groups()) + ", clients propose through "
                + (o.routeToLeader() ? "their group's leader where it runs in this JVM, else " : "") + "node " + entry.nodeId());
        Client[] threads = startClients(cluster, o, clients);
        TimeUnit.SECONDS.sleep(o.warmupSeconds());
        long fsyncsBefore = cluster.fsyncs();
        long cpuBefore = cluster.cpuNanos();
        long switchesBefore = ContextSwitches.total();
        long[] batchBefore = batchCounters(entry, o.groups());
        long start = System.nanoTime();
        for (Client t : threads) t.windowStart = start;
        TimeUnit.SECONDS.sleep(o.seconds());
        long end = System.nanoTime();
        for (Client t : threads) t.windowEnd = end;
        long fsyncs = cluster.fsyncs() - fsyncsBefore;
        long cpuAfter = cluster.cpuNanos();
        long switchesAfter = ContextSwitches.total();
        long[] batchAfter = batchCounters(entry, o.groups());
        for (Client t : threads) t.running = false;
        Histogram all = new Histogram(LATENCY_MAX_MICROS, 3);
        long errors = 0;
        for (Client t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(40));
            synchronized (t) {
                all.add(t.latencies);
            }
            errors += t.errors.get();
        }
        long instances = batchAfter[0] - batchBefore[0];
        long commands = batchAfter[1] - batchBefore[1];
        System.err.printf(Locale.ROOT, "# C=%d: %d ops in %.1f s, %d errors, %.2f commands/instance, %d fsyncs, in flight %s%n",
                clients, all.getTotalCount(), (end - start) / 1e9, errors, instances == 0 ? 0.0 : (double) commands / instances,
                fsyncs, inFlight(entry, o.groups()));
        // CPU per operation does not depend on how much CPU other processes leave to this run
        if (cpuBefore >= 0 && cpuAfter >= 0 && all.getTotalCount() > 0)
            System.err.printf(Locale.ROOT, "# C=%d: cpu %.3f ms/op (%.2f cores) in the nodes' and clients' JVMs%n", clients,
                    (cpuAfter - cpuBefore) / 1e6 / all.getTotalCount(), (cpuAfter - cpuBefore) / (double) (end - start));
        // each hand-off to a sleeping thread is one switch: the count the runtime's inline hand-offs cut
        if (switchesBefore >= 0 && switchesAfter >= 0 && all.getTotalCount() > 0)
            System.err.printf(Locale.ROOT, "# C=%d: %.1f context switches/op in this JVM%n", clients,
                    (switchesAfter - switchesBefore) / (double) all.getTotalCount());
        return new Window(all, (end - start) / 1e9, fsyncs);
    }

    /** The node each group's clients propose through: the entry node, or with {@code --route leader} the group's leader if local. */
    private static PaxosNode[] routes(BenchCluster cluster, BenchOptions o) {
        PaxosNode[] through = new PaxosNode[o.groups()];
        java.util.Map<Integer, PaxosNode> local = cluster.localNodes();
        for (int g = 0; g < o.groups(); g++) {
            PaxosNode leader = o.routeToLeader() ? local.get(cluster.entry().status(g).leaderNodeId()) : null;
            through[g] = leader != null ? leader : cluster.entry();
        }
        return through;
    }

    /** Each group's leader as the entry node sees it, e.g. {@code 1,3,2,1} (at most 16 groups). */
    private static String leaders(PaxosNode node, int groups) {
        List<String> out = new ArrayList<>();
        for (int g = 0; g < groups && g < 16; g++) out.add(String.valueOf(node.status(g).leaderNodeId()));
        return String.join(",", out) + (groups > 16 ? ",..." : "");
    }

    /** Executed instances and commands on the entry node, summed over groups. */
    private static long[] batchCounters(PaxosNode node, int groups) {
        long[] sum = new long[2];
        for (int g = 0; g < groups; g++) {
            GroupStatus s = node.status(g);
            sum[0] += s.instancesExecuted();
            sum[1] += s.commandsExecuted();
        }
        return sum;
    }

    private static String inFlight(PaxosNode node, int groups) {
        List<String> out = new ArrayList<>();
        for (int g = 0; g < groups && g < 4; g++) out.add(String.valueOf(node.status(g).inFlightInstances()));
        return String.join(",", out);
    }

    private static String version() {
        Properties p = new Properties();
        try (InputStream in = ClusterBench.class.getResourceAsStream("version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // fall through to the default
        }
        return p.getProperty("version", "0.1.0").replace("-SNAPSHOT", "");
    }

    /** A window's results. */
    private record Window(Histogram latencies, double seconds, long fsyncs) {
        double opsPerSecond() {
            return latencies.getTotalCount() / seconds;
        }

        double millis(double percentile) {
            return latencies.getValueAtPercentile(percentile) / 1000.0;
        }

        double fsyncsPerOp() {
            return latencies.getTotalCount() == 0 ? 0 : (double) fsyncs / latencies.getTotalCount();
        }
    }

    /** One closed-loop client: propose, wait until executed on the entry node, repeat. */
    private static final class Client extends Thread {
        private final PaxosNode node;
        private final int id;
        private final int group;
        private final int valueBytes;
        final Histogram latencies = new Histogram(LATENCY_MAX_MICROS, 3);
        final AtomicLong errors = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        volatile boolean running = true;
        volatile long windowStart = Long.MAX_VALUE;
        volatile long windowEnd = Long.MAX_VALUE;

        Client(PaxosNode node, int id, int group, int valueBytes) {
            super("bench-client-" + id);
            setDaemon(true);
            this.node = node;
            this.id = id;
            this.group = group;
            this.valueBytes = valueBytes;
        }

        @Override
        public void run() {
            for (long seq = 0; running; seq++) {
                byte[] value = value(seq);
                long t0 = System.nanoTime();
                try {
                    node.propose(group, BenchCluster.STATE_MACHINE_ID, value).toCompletableFuture().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    errors.incrementAndGet();
                    continue;
                } catch (InterruptedException e) {
                    return;
                }
                long t1 = System.nanoTime();
                completed.incrementAndGet();
                if (t0 >= windowStart && t1 <= windowEnd) {
                    synchronized (this) {
                        latencies.recordValue(Math.min(LATENCY_MAX_MICROS, (t1 - t0) / 1000));
                    }
                }
            }
        }

        /** A fresh value: client ID and sequence up front, a fixed pattern after. */
        private byte[] value(long seq) {
            byte[] v = new byte[valueBytes];
            for (int i = 0; i < v.length; i++) v[i] = (byte) ('a' + i % 26);
            long x = ((long) id << 40) ^ seq;
            for (int i = 0; i < Math.min(8, v.length); i++) v[i] = (byte) (x >>> (8 * i));
            return v;
        }
    }
}
