package paxos.it;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients writing through one node at a time, with up to {@code window} proposals outstanding.
 * Every value is fresh ({@code v<seq>}) and never retried, so each one may appear at most once in
 * the log. Acknowledged values are remembered with their position. When the node it writes
 * through dies, the workload moves on to the next live node (what a client library does).
 */
final class Workload implements AutoCloseable {
    /** Where an acknowledged value landed. */
    record Position(long instance, int index) {}

    private final NodeHandle[] nodes;
    private final Semaphore window;
    private final Map<String, Position> acked = new ConcurrentHashMap<>();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    /** Nanos of the last acknowledgement, and the longest time between two since {@link #resetPause()}. */
    private final AtomicLong lastAckNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong longestPauseNanos = new AtomicLong();
    private final Thread thread;
    private volatile int target;
    private volatile boolean running = true;

    /** @param nodes slots of the cluster's nodes (the test replaces a slot when it restarts a node) */
    Workload(NodeHandle[] nodes, int firstTarget, int window) {
        this.nodes = nodes;
        this.target = firstTarget;
        this.window = new Semaphore(window);
        this.thread = new Thread(this::run, "workload");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Acknowledged values so far. */
    int acked() {
        return acked.size();
    }

    /** Values acknowledged, with their positions (a copy). */
    Map<String, Position> ackedValues() {
        return Map.copyOf(acked);
    }

    /** Starts measuring the longest pause between two acknowledgements anew, from now. */
    void resetPause() {
        lastAckNanos.set(System.nanoTime());
        longestPauseNanos.set(0);
    }

    /** The longest time without an acknowledgement since {@link #resetPause()}, up to now, in ms. */
    long longestPauseMillis() {
        long sinceLast = System.nanoTime() - lastAckNanos.get();
        return Math.max(longestPauseNanos.get(), sinceLast) / 1_000_000;
    }

    long failed() {
        return failed.get();
    }

    /** The slot of the node currently written through. */
    int target() {
        return target;
    }

    private void run() {
        try {
            while (running) {
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) continue;
                NodeHandle node = pickNode();
                if (node == null) { // nobody alive: wait for a restart
                    window.release();
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    continue;
                }
                long seq = sequence.incrementAndGet();
                String value = "v" + seq;
                node.propose(0, "c" + seq, value, a -> {
                    if (a.ok()) {
                        acked.put(value, new Position(a.instance(), a.index()));
                        long now = System.nanoTime();
                        long gap = now - lastAckNanos.getAndSet(now);
                        longestPauseNanos.accumulateAndGet(gap, Math::max);
                    }
                    else failed.incrementAndGet();
                    window.release();
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private NodeHandle pickNode() {
        for (int i = 0; i < nodes.length; i++) {
            int slot = (target + i) % nodes.length;
            NodeHandle n = nodes[slot];
            if (n != null && n.alive()) {
                target = slot;
                return n;
            }
        }
        return null;
    }

    /** Stops proposing; outstanding proposals still get their answers. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }

    /** Waits until no proposal is outstanding (bounded by the nodes' proposal timeout). */
    void drain(int window, long timeoutMillis) throws InterruptedException {
        if (!this.window.tryAcquire(window, timeoutMillis, TimeUnit.MILLISECONDS))
            throw new IllegalStateException("proposals still outstanding after " + timeoutMillis + " ms");
        this.window.release(window);
    }
}
