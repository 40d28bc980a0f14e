package paxos.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.Proposal;
import paxos.api.StateMachineInfo;
import paxos.impl.runtime.DigestExchange;
import paxos.testkit.SevereLog;
import paxos.plugins.kv.KvCommand;
import paxos.plugins.kv.internal.KvStateMachine;

/**
 * Issue #10, divergence: three embedded nodes (real LevelDB log and KV files, real Netty on
 * 127.0.0.1) run the KV state machine; node 3's applies one write differently. The digests taken
 * every 16 instances expose it: node 3 (the minority) marks the state machine DIVERGED and logs
 * one ERROR, stops executing it, installs a checkpoint from a majority replica, and its digest
 * agrees again — the mark clears and the KV data is equal everywhere.
 */
class DivergenceRecoveryTest {
    private static final int INTERVAL = 16;
    @TempDir Path dir;
    private KvCluster cluster;
    private final AtomicBoolean armed = new AtomicBoolean();
    private SevereLog errors;

    @BeforeEach
    void listen() {
        errors = new SevereLog(DigestExchange.class);
    }

    @AfterEach
    void close() {
        errors.close();
        if (cluster != null) cluster.close();
    }

    @Test
    void aReplicaThatAppliedAWriteDifferentlyIsMarkedDivergedAndReinstalledFromTheMajority() throws Exception {
        cluster = new KvCluster(dir, 1_000_000, 1);
        cluster.tuner = c -> c.withDigestInterval(INTERVAL);
        cluster.factoryOf = id -> id == 3 ? (group, data) -> new FaultyKv(data, armed) : KvCluster.kvFactory();
        for (int id = 1; id <= 3; id++) cluster.start(id);
        // until node 1 heard its peers it may refuse writes at once (503, issue 16), which put does not retry
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.nodes[1].node().status(0).leaderNodeId() != 0
                && cluster.nodes[1].engine().quorumReachable(0));
        for (int i = 0; i < 2 * INTERVAL; i++) put("before" + i, i);
        long sentBefore = cluster.nodes[1].engine().digests().messagesSent();
        long executedBefore = cluster.nodes[1].node().status(0).executedInstance();
        long startNanos = System.nanoTime();

        armed.set(true);
        put(FaultyKv.POISON, 1);
        // one write per instance until node 3 reports the majority's verdict; bounded. The report is
        // taken as soon as it exists: node 3 may reinstall and agree again soon after (then it is gone)
        // (bounded in time too: digests travel on the engine's tick, writes may be much faster)
        int written = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        DigestExchange.Report report;
        while ((report = majorityReport(3)) == null) {
            assertTrue(++written <= 200 * INTERVAL && System.nanoTime() < deadline,
                    "no divergence detected after " + written + " writes");
            put("after" + written, written);
        }
        assertEquals(List.of(3), report.differing());
        assertTrue(report.majority() && report.markedHere(), report.toString());
        assertEquals(INTERVAL - 1, report.instance() % INTERVAL, "compared at an agreed position");
        for (int id = 1; id <= 2; id++) assertEquals(StateMachineInfo.State.RUNNING, state(id), "the majority is not marked");
        // the ERROR is logged just after the verdict is recorded
        await().atMost(Duration.ofSeconds(10)).until(() -> errors.lines().stream().anyMatch(e -> e.contains("this node marks it DIVERGED")));
        List<String> marked = errors.lines().stream().filter(e -> e.contains("this node marks it DIVERGED")).toList();
        assertEquals(1, marked.size(), "one ERROR on node 3: " + errors.lines());

        // it reinstalls from a majority replica, then a later digest agrees and the mark clears
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster.nodes[3].engine().transfers().stream()
                .anyMatch(t -> t.group() == 0 && "receive".equals(t.direction()) && t.outcome() == paxos.impl.runtime.TransferOutcome.INSTALLED));
        for (int i = 0; i < 3 * INTERVAL && state(3) == StateMachineInfo.State.DIVERGED; i++) put("later" + i, i);
        await().atMost(Duration.ofSeconds(30)).until(() -> state(3) == StateMachineInfo.State.RUNNING
                && cluster.nodes[3].engine().digests().reports(0).isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> data(1).equals(data(3)) && data(2).equals(data(3)));
        assertArrayEquals(value(1), kv(3).get(0, FaultyKv.POISON).orElseThrow().value(), "the proposed value, not node 3's");
        long markedAfter = errors.lines().stream().filter(e -> e.contains("this node marks it DIVERGED")).count();
        assertEquals(1, markedAfter, "still one ERROR: " + errors.lines());
        // nodes 1 and 2 log theirs when node 3's digest reaches them, which may be after node 3 recovered
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertTrue(errors.lines().size() >= 3, "an ERROR per node: " + errors.lines()));
        assertEquals(3, errors.lines().size(), "one ERROR per node for the episode: " + errors.lines());

        // the exchange added at most one message per peer per digest interval (plus a refresh every 30 s)
        long instances = cluster.nodes[1].node().status(0).executedInstance() - executedBefore;
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
        long sent = cluster.nodes[1].engine().digests().messagesSent() - sentBefore;
        long bound = 2 * (instances / INTERVAL + 1 + seconds / 30 + 1);
        System.out.printf("divergence: %d instances, %d digest messages sent by node 1 (bound %d), %d s%n",
                instances, sent, bound, seconds);
        assertTrue(sent <= bound, sent + " digest messages for " + instances + " instances");
    }

    private void put(String key, int i) throws Exception {
        byte[] cmd = KvCommand.put(key, value(i)).encode();
        cluster.nodes[1].node().propose(new Proposal(0, KvCluster.KV, cmd, Proposal.NO_MASTER_CONDITION, 20_000))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static byte[] value(int i) {
        return ("v" + i).getBytes();
    }

    private DigestExchange.Report majorityReport(int node) {
        return cluster.nodes[node].engine().digests().reports(0).stream().filter(DigestExchange.Report::majority)
                .findFirst().orElse(null);
    }

    private StateMachineInfo.State state(int node) {
        return cluster.nodes[node].node().status(0).stateMachines().stream().filter(s -> s.id() == KvCluster.KV)
                .findFirst().map(StateMachineInfo::state).orElse(null);
    }

    private KvStateMachine kv(int node) {
        Object sm = cluster.nodes[node].stateMachine(0, KvCluster.KV);
        return sm instanceof FaultyKv f ? f.kv() : (KvStateMachine) sm;
    }

    private List<Long> data(int node) {
        long[] d = kv(node).dataDigest(0);
        return List.of(d[0], d[1]);
    }
}
