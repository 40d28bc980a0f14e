package paxos.bench;

import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import paxos.api.MasterInfo;
import paxos.api.PaxosNode;
import paxos.api.ReadConsistency;
import paxos.api.spi.log.SyncPolicy;

/**
 * Latencies of the master-lease operations ({@code ./paxos bench lease [--ops N] [--sync SYNC|NONE]}):
 * three in-process nodes over Netty on 127.0.0.1 with LevelDB logs, group 0, one caller, one
 * operation at a time, each kind measured {@code --ops} times (default 300) after 50 warm-up
 * calls. Kinds: a write (the baseline: one Paxos round plus execution), {@code claimMaster} by
 * the master (a renewal: the same round with a system command), {@code readBarrier(LEASE)} on the
 * master (no round trip), {@code readBarrier(LINEARIZABLE)} on the master and on a follower, and
 * 20 takeovers ({@code claimMaster} by another node once a 100 ms lease ran out).
 * Prints p50/p99/max per kind in milliseconds and the p50 as a ratio to the write's p50 measured
 * in the same run. Exit code 2 for bad flags.
 */
public final class LeaseBench {
    private static final int WARMUP = 50;
    private static final long LEASE_MILLIS = 60_000; // outlasts the run: every LEASE read is served
    private static final long CALL_TIMEOUT_SECONDS = 30;
    private static final int TAKEOVERS = 20;
    private static final long TAKEOVER_LEASE_MILLIS = 100;

    private LeaseBench() {}

    public static void main(String[] args) throws Exception {
        int ops = 300;
        SyncPolicy sync = SyncPolicy.SYNC;
        try {
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("flag " + args[i] + " needs a value");
                switch (args[i]) {
                    case "--ops" -> ops = Integer.parseInt(args[i + 1]);
                    case "--sync" -> sync = SyncPolicy.valueOf(args[i + 1].toUpperCase(Locale.ROOT));
                    default -> throw new IllegalArgumentException("unknown flag '" + args[i] + "'");
                }
            }
            if (ops < 1 || ops > 1_000_000) throw new IllegalArgumentException("--ops must be in 1..1000000: " + ops);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("usage: ./paxos bench lease [--ops 300] [--sync SYNC|NONE]");
            System.exit(2);
            return;
        }
        BenchOptions o = new BenchOptions(java.util.List.of(1), 100, 1, 1, 0, false, sync, 0);
        try (InProcessCluster cluster = new InProcessCluster(o)) {
            run(cluster, ops, sync);
        }
    }

    private static void run(InProcessCluster cluster, int ops, SyncPolicy sync) throws Exception {
        byte[] value = new byte[100];
        PaxosNode first = cluster.entry();
        call(() -> first.propose(0, BenchCluster.STATE_MACHINE_ID, value)); // elects a Paxos leader
        int leaderId = first.status(0).leaderNodeId();
        PaxosNode master = cluster.localNodes().get(leaderId);
        PaxosNode follower = cluster.localNodes().values().stream().filter(n -> n != master).findFirst().orElseThrow();
        long claimStarted = System.nanoTime();
        MasterInfo won = call(() -> master.claimMaster(0, master.master(0).version(), LEASE_MILLIS));
        double firstClaimMillis = (System.nanoTime() - claimStarted) / 1e6;
        if (won.nodeId() != leaderId) throw new IllegalStateException("node " + leaderId + " did not become master: " + won);
        long version = won.version();

        System.out.printf(Locale.ROOT, "# lease bench: 3 in-process nodes, Netty 127.0.0.1, LevelDB %s, group 0, "
                + "one call at a time, %d per kind; master = Paxos leader = node %d; first claim %.2f ms%n",
                sync, ops, leaderId, firstClaimMillis);
        System.out.println("kind|p50_ms|p99_ms|max_ms|p50_vs_write");
        Histogram write = measure(ops, () -> master.propose(0, BenchCluster.STATE_MACHINE_ID, value));
        print("write (baseline)", write, write);
        print("claimMaster renewal", measure(ops, () -> master.claimMaster(0, version, LEASE_MILLIS)), write);
        print("readBarrier LEASE (master)", measure(ops, () -> master.readBarrier(0, ReadConsistency.LEASE)), write);
        print("readBarrier LINEARIZABLE (master)",
                measure(ops, () -> master.readBarrier(0, ReadConsistency.LINEARIZABLE)), write);
        print("readBarrier LINEARIZABLE (follower)",
                measure(ops, () -> follower.readBarrier(0, ReadConsistency.LINEARIZABLE)), write);
        print("claimMaster takeover (" + TAKEOVERS + ", the winning call)", takeovers(cluster, master, version), write);
    }

    /**
     * Master changes round-robin with {@value #TAKEOVER_LEASE_MILLIS} ms leases: the next node
     * claims every millisecond (a no-op while the lease may run as it sees it) until it wins; the
     * winning call is timed (one Paxos round with the claim, like a renewal, but from any node).
     */
    private static Histogram takeovers(InProcessCluster cluster, PaxosNode master, long version) throws Exception {
        java.util.List<PaxosNode> all = java.util.List.copyOf(cluster.localNodes().values());
        // a renewal with a short lease: the others may take over once it ran out (they count from the latest entry)
        MasterInfo renewed = call(() -> master.claimMaster(0, version, TAKEOVER_LEASE_MILLIS));
        long v = renewed.version();
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(CALL_TIMEOUT_SECONDS), 3);
        int holder = all.indexOf(master);
        for (int i = 0; i < TAKEOVERS; i++) {
            PaxosNode claimer = all.get((holder + 1) % all.size());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CALL_TIMEOUT_SECONDS);
            while (true) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("no takeover by node " + claimer.nodeId());
                long expected = v;
                long t = System.nanoTime();
                MasterInfo m;
                try {
                    m = call(() -> claimer.claimMaster(0, expected, TAKEOVER_LEASE_MILLIS));
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof paxos.api.MasterChangedException)) throw e;
                    v = claimer.master(0).version(); // raced with a master entry: retry with the version in force
                    continue;
                }
                if (m.nodeId() == claimer.nodeId() && m.version() != expected) {
                    h.recordValue(System.nanoTime() - t);
                    v = m.version();
                    holder = all.indexOf(claimer);
                    break;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }
        return h;
    }

    private static Histogram measure(int ops, Supplier<CompletionStage<?>> op) throws Exception {
        for (int i = 0; i < WARMUP; i++) call(op);
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(CALL_TIMEOUT_SECONDS), 3);
        for (int i = 0; i < ops; i++) {
            long t = System.nanoTime();
            call(op);
            h.recordValue(System.nanoTime() - t);
        }
        return h;
    }

    @SuppressWarnings("unchecked")
    private static <T> T call(Supplier<? extends CompletionStage<?>> op) throws Exception {
        return (T) op.get().toCompletableFuture().get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static void print(String kind, Histogram h, Histogram baseline) {
        System.out.printf(Locale.ROOT, "%s|%.3f|%.3f|%.3f|%.3f%n", kind, h.getValueAtPercentile(50) / 1e6,
                h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6,
                (double) h.getValueAtPercentile(50) / baseline.getValueAtPercentile(50));
    }
}
