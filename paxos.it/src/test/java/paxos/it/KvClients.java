package paxos.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import paxos.testkit.Linearizability.Op;

/**
 * Closed-loop clients of {@link KvNodeProcess} nodes recording a history for the linearizability
 * checker. Each client runs one operation at a time on a small key set: writes of fresh values
 * ({@code c<client>-<seq>}, never retried) and LEASE reads through the node it believes is master,
 * LINEARIZABLE reads through a random live node. A watcher thread asks the live nodes which one is
 * master (every 100 ms, each ask bounded by 500 ms).
 *
 * <p>Outcomes, recorded on the test JVM's {@link System#nanoTime} clock: an answered write or read
 * is complete; a write refused before it could take effect ({@code NotMasterException},
 * {@code MasterChangedException}, {@code OverloadedException}) is left out; any other write error,
 * the node's death, or no answer within {@value #ANSWER_TIMEOUT_MILLIS} ms makes the write's
 * outcome unknown; a failed read is left out (it constrains nothing).
 */
final class KvClients implements AutoCloseable {
    static final long ANSWER_TIMEOUT_MILLIS = 5_000;
    private static final List<String> NO_EFFECT = List.of("NotMasterException", "MasterChangedException", "OverloadedException");

    private final NodeHandle[] nodes;
    private final int keys;
    private final List<Op> history = new ArrayList<>();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile int masterSlot = -1;
    private volatile boolean running = true;

    /** @param nodes the cluster's slots (the test replaces a slot when it restarts a node) */
    KvClients(NodeHandle[] nodes, int clients, int keys) {
        this.nodes = nodes;
        this.keys = keys;
        threads.add(new Thread(this::watchMaster, "master-watcher"));
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(new Thread(() -> run(client), "kv-client-" + c));
        }
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
    }

    /** The slot of the node last seen as master, or -1. */
    int masterSlot() {
        return masterSlot;
    }

    /**
     * How many operations ended with {@code outcome}: {@code write.ok}, {@code LEASE.ok},
     * {@code LINEARIZABLE.ok}, {@code <op>.<ExceptionSimpleName>}, {@code <op>.Timeout}, or
     * {@code ok@<slot>} (answered by the node in that slot).
     */
    long count(String outcome) {
        LongAdder a = counts.get(outcome);
        return a == null ? 0 : a.sum();
    }

    /** Every outcome counted so far. */
    Map<String, Long> counts() {
        Map<String, Long> m = new java.util.TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** The recorded history (a copy); complete once {@link #close} returned. */
    synchronized List<Op> history() {
        return List.copyOf(history);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) t.join(ANSWER_TIMEOUT_MILLIS + 5_000);
    }

    private void run(int client) {
        SplittableRandom random = new SplittableRandom(client);
        for (long seq = 0; running; seq++) {
            int kind = random.nextInt(10);
            String key = "k" + random.nextInt(keys);
            String id = "c" + client + "-" + seq;
            boolean write = kind < 4;
            String consistency = kind < 7 ? "LINEARIZABLE" : "LEASE";
            int slot = write || consistency.equals("LEASE") ? masterSlot : random.nextInt(nodes.length);
            NodeHandle node = slot < 0 ? null : nodes[slot];
            if (node == null || !node.alive()) {
                tally("no-node");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // back off until the watcher finds a master
                continue;
            }
            CompletableFuture<String[]> answer = new CompletableFuture<>();
            long calledAt = System.nanoTime();
            node.call(id, write ? "write " + id + " " + key + " " + id : "read " + id + " " + key + " " + consistency,
                    answer::complete);
            String[] a = await(answer);
            long returnedAt = System.nanoTime();
            String op = write ? "write" : consistency;
            if (a != null && a[0].equals("ok")) {
                tally(op + ".ok");
                tally("ok@" + slot);
                record(write ? Op.write(client, key, id, calledAt, returnedAt)
                        : Op.read(client, key, a[2].equals("-") ? null : a[2], calledAt, returnedAt));
                continue;
            }
            String error = a == null ? "Timeout" : a[2];
            tally(op + "." + error);
            if (!NO_EFFECT.contains(error) || error.equals("MasterChangedException")) masterSlot = -1;
            if (write && !NO_EFFECT.contains(error)) record(Op.write(client, key, id, calledAt, Long.MAX_VALUE));
        }
    }

    private static String[] await(CompletableFuture<String[]> answer) {
        try {
            return answer.get(ANSWER_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void watchMaster() {
        while (running) {
            int found = -1;
            for (int slot = 0; slot < nodes.length && found < 0; slot++) {
                NodeHandle n = nodes[slot];
                if (n == null || !n.alive()) continue;
                try {
                    if (n.request("master 0", 500)[4].equals("true")) found = slot;
                } catch (Exception e) {
                    // dying or slow node: ask the next one
                }
            }
            masterSlot = found;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private synchronized void record(Op op) {
        history.add(op);
    }

    private void tally(String outcome) {
        counts.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }
}
