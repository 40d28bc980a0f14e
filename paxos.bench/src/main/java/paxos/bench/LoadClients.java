package paxos.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import paxos.api.PaxosNode;
import paxos.api.Proposal;

/**
 * Closed-loop clients for {@link MemoryBench}: each keeps one write of {@code valueBytes} to
 * group 0 outstanding, proposing the next when the last completed (failed ones count apart), on
 * the completing thread: no thread per client. {@link #stop} waits until none is outstanding.
 */
final class LoadClients {
    private static final long TIMEOUT_MILLIS = 30_000;

    private final PaxosNode node;
    private final byte[] value;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile boolean running;

    LoadClients(PaxosNode node, int valueBytes) {
        this.node = node;
        this.value = new byte[valueBytes];
    }

    /** Starts {@code clients} clients. */
    void start(int clients) {
        running = true;
        for (int i = 0; i < clients; i++) {
            outstanding.incrementAndGet();
            next();
        }
    }

    private void next() {
        if (!running) {
            outstanding.decrementAndGet();
            return;
        }
        node.propose(new Proposal(0, BenchCluster.STATE_MACHINE_ID, value, Proposal.NO_MASTER_CONDITION, TIMEOUT_MILLIS))
                .whenComplete((r, e) -> {
                    if (e == null) {
                        completed.incrementAndGet();
                        next();
                    } else { // a refusal may complete at once: retry a little later, not recursively
                        failed.incrementAndGet();
                        java.util.concurrent.CompletableFuture.runAsync(this::next,
                                java.util.concurrent.CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS));
                    }
                });
    }

    /** Writes completed since start. */
    long completed() {
        return completed.get();
    }

    /** Writes failed since start. */
    long failed() {
        return failed.get();
    }

    /** Stops proposing and waits (bounded by the write timeout) until no write is outstanding. */
    void stop() {
        running = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS * 2);
        while (outstanding.get() > 0) {
            if (System.nanoTime() > deadline) throw new IllegalStateException(outstanding.get() + " writes still outstanding");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
