package paxos.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.testkit.Linearizability;
import paxos.testkit.Linearizability.Op;

/**
 * Three {@link KvNodeProcess} processes on 127.0.0.1 (real LevelDB files with fsync, real sockets,
 * the election plugin's {@code MasterElector} with its default 3 s lease) under concurrent
 * clients ({@link KvClients}: master-conditional writes, LEASE reads on the master, LINEARIZABLE
 * reads on any node). Twice, the test kills the master with SIGKILL mid-run, waits for writes and
 * lease reads under a new master, restarts the killed node and waits for reads it serves; then it
 * checks the whole history
 * with {@link Linearizability} (timeouts and requests to the killed node count as unknown
 * outcomes). A stale read added to the real history must be rejected, so the check is not vacuous.
 */
class MasterFailoverLinearizabilityIT {
    private static final Duration BOUND = Duration.ofSeconds(40);
    private static final int CLIENTS = 4;
    private static final int KEYS = 6;
    /** Rounds of: kill -9 the master, wait for a new one, restart the killed node. */
    private static final int KILLS = 2;

    @TempDir Path dir;
    private final NodeHandle[] nodes = new NodeHandle[3];
    private String members;

    @AfterEach
    void stop() throws InterruptedException {
        for (NodeHandle n : nodes) if (n != null) n.quit();
    }

    @Test
    void historyStaysLinearizableAcrossKillNineOfTheMaster() throws Exception {
        long started = System.nanoTime();
        members = "1@127.0.0.1:" + freePort() + ",2@127.0.0.1:" + freePort() + ",3@127.0.0.1:" + freePort();
        for (int slot = 0; slot < 3; slot++) start(slot);

        KvClients clients = new KvClients(nodes, CLIENTS, KEYS);
        try {
            await().atMost(BOUND).until(() -> clients.masterSlot() >= 0);
            await().atMost(BOUND).until(() -> clients.count("write.ok") >= 300 && clients.count("LEASE.ok") >= 300
                    && clients.count("LINEARIZABLE.ok") >= 300);
            for (int round = 1; round <= KILLS; round++) killMasterAndRestartIt(clients, round);
        } finally {
            clients.close();
        }

        List<Op> history = clients.history();
        long checkStarted = System.nanoTime();
        Linearizability.Result result = check(history);
        long checkMillis = (System.nanoTime() - checkStarted) / 1_000_000;
        long unknown = history.stream().filter(op -> !op.completed()).count();
        System.out.printf("history: %d operations (%d writes with unknown outcome) on %d keys, checked in %d ms: %s; "
                + "outcomes %s; whole run %d s%n", history.size(), unknown, KEYS, checkMillis, result.verdict(),
                clients.counts(), (System.nanoTime() - started) / 1_000_000_000);
        assertEquals(Linearizability.Verdict.LINEARIZABLE, result.verdict(),
                () -> "key " + result.key() + " (" + result.ops().size() + " operations), the first 20: "
                        + result.ops().subList(0, Math.min(20, result.ops().size())));

        // not vacuous: after everything, a fresh write, then a read of the key's first acknowledged value
        assertFalse(check(withStaleRead(history)).ok(), "a stale read appended to the real history is rejected");
    }

    /**
     * Kills the current master with SIGKILL; waits until another node is master and 300 more writes
     * and 300 more LEASE reads succeeded; restarts the killed node and waits until it answered 100
     * LINEARIZABLE reads and 300 more writes succeeded.
     */
    private void killMasterAndRestartIt(KvClients clients, int round) throws Exception {
        int killed = clients.masterSlot();
        long writesAtKill = clients.count("write.ok");
        long leaseAtKill = clients.count("LEASE.ok");
        nodes[killed].kill9();
        long killedAt = System.nanoTime();
        // a new master (after the old lease ran out) takes writes and serves lease reads
        await().atMost(BOUND).until(() -> clients.masterSlot() >= 0 && clients.masterSlot() != killed
                && clients.count("write.ok") >= writesAtKill + 300 && clients.count("LEASE.ok") >= leaseAtKill + 300);
        long failoverMillis = (System.nanoTime() - killedAt) / 1_000_000;
        int newMaster = clients.masterSlot();

        start(killed);
        long servedAtRestart = clients.count("ok@" + killed);
        long writesAtRestart = clients.count("write.ok");
        await().atMost(BOUND).until(() -> clients.count("ok@" + killed) >= servedAtRestart + 100
                && clients.count("write.ok") >= writesAtRestart + 300);
        System.out.printf("round %d: killed master node %d; 300 writes and 300 lease reads under node %d within %d ms;"
                + " node %d restarted and serving%n", round, killed + 1, newMaster + 1, failoverMillis, killed + 1);
    }

    /** The real history plus a completed write of a fresh value, then a read returning an older one. */
    private static List<Op> withStaleRead(List<Op> history) {
        Op first = history.stream().filter(op -> op.write() && op.completed()).findFirst().orElseThrow();
        long end = history.stream().filter(Op::completed).mapToLong(Op::returnedAt).max().orElseThrow();
        List<Op> h = new ArrayList<>(history);
        h.add(Op.write(99, first.key(), "fresh", end + 1, end + 2));
        h.add(Op.read(99, first.key(), first.value(), end + 3, end + 4));
        return h;
    }

    /** Runs the checker on a thread with a deep stack: its search recurses once per operation of a key. */
    private static Linearizability.Result check(List<Op> history) throws InterruptedException {
        AtomicReference<Linearizability.Result> result = new AtomicReference<>();
        Thread t = new Thread(null, () -> result.set(Linearizability.check(history)), "checker", 512L << 20);
        t.start();
        t.join();
        assertTrue(result.get() != null, "the checker finished");
        return result.get();
    }

    private void start(int slot) throws Exception {
        nodes[slot] = NodeHandle.startOnClassPath(KvNodeProcess.class, slot + 1, members,
                dir.resolve("node-" + (slot + 1)), "--proposal-timeout-millis", "3000");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
