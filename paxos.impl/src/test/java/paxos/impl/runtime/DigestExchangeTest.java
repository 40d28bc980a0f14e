package paxos.impl.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import paxos.testkit.SevereLog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Divergence detection on node 3 of three, against a scripted host (no engine, no network). */
class DigestExchangeTest {
    private static final int SM = 1;

    /** A finished incoming transfer of group 0 from node 1. */
    static TransferStatus ended(TransferOutcome outcome, String detail) {
        return new TransferStatus(0, "receive", 1, 7, outcome.succeeded() ? "done" : "failed", 0, 0, 0, 0, 0, 15,
                System.currentTimeMillis(), System.currentTimeMillis(), outcome, detail);
    }

    /** Records what the exchange asks of the engine. */
    static final class FakeHost implements DigestExchange.Host {
        final List<String> sent = new ArrayList<>();
        final List<Integer> stopped = new ArrayList<>();
        final List<Integer> pulledFrom = new ArrayList<>();
        boolean canPull = true;
        TransferStatus ended;
        Map<Integer, DigestExchange.Presence> machines = Map.of(SM, new DigestExchange.Presence("", "RUNNING"));

        /** The membership in force (node 3 of three unless a test changes it). */
        List<Integer> members = List.of(1, 2, 3);

        @Override public int self() { return 3; }
        @Override public List<Integer> peers() { return members.stream().filter(n -> n != 3).toList(); }
        @Override public List<Integer> members(int group) { return members; }

        @Override
        public boolean send(int toNode, int group, byte[] message) {
            sent.add(toNode + "/" + group);
            return true;
        }

        @Override public Map<Integer, DigestExchange.Presence> localMachines(int group) { return machines; }

        @Override
        public void stopExecuting(int group, int id, Runnable then) {
            stopped.add(id);
            then.run();
        }

        @Override
        public boolean pull(int group, int peer, long needFrom, String why) {
            if (canPull) pulledFrom.add(peer);
            return canPull;
        }

        @Override public boolean catchingUp(int group) { return false; }
        @Override public TransferStatus installEndedSince(int group, long sinceMillis) { return ended; }
    }

    private final FakeHost host = new FakeHost();
    private final DigestExchange exchange = new DigestExchange(host);
    private SevereLog log;

    @BeforeEach
    void listen() {
        log = new SevereLog(DigestExchange.class);
    }

    @AfterEach
    void stopListening() {
        log.close();
    }

    private void peerSays(int peer, long instance, long digest) {
        byte[] m = DigestWire.encode(new DigestWire.Summary(0, List.of(new DigestWire.Machine(SM, "", "RUNNING",
                List.of(new DigestWire.Digest(instance, digest))))));
        exchange.onMessage(peer, 0, m);
    }

    /** Digests at instance 15: this node's, then node 1's, then node 2's. */
    private void at15(long mine, long node1, long node2) {
        exchange.sink(0).digest(SM, 15, mine);
        peerSays(1, 15, node1);
        peerSays(2, 15, node2);
    }

    @Test
    void theMinorityReplicaHaltsReinstallsFromAMajorityNodeAndClearsWhenItAgreesAgain() {
        exchange.sink(0).digest(SM, 15, 9);
        peerSays(1, 15, 7);
        assertFalse(exchange.diverged(0, SM), "two differing reports of three: nobody is marked yet");
        assertEquals(0, log.lines().size(), "a WARNING until the third digest tells who departed");
        peerSays(2, 15, 7);
        assertTrue(exchange.diverged(0, SM));
        assertEquals(List.of(SM), host.stopped);
        DigestExchange.Report r = exchange.reports(0).get(0);
        assertEquals(15, r.instance());
        assertEquals(List.of(3), r.differing());
        assertTrue(r.majority() && r.markedHere());
        assertEquals(1, log.lines().size(), "ERROR once per episode");

        exchange.tick(1);
        assertEquals(List.of(1), host.pulledFrom, "pulled from a majority node");
        assertEquals(DigestExchange.Phase.INSTALLING, exchange.reports(0).get(0).phase());
        host.ended = ended(TransferOutcome.INSTALLED, null);
        exchange.tick(1);
        assertEquals(DigestExchange.Phase.VERIFYING, exchange.reports(0).get(0).phase());
        assertTrue(exchange.diverged(0, SM), "marked until a digest agrees");

        exchange.sink(0).digest(SM, 31, 8);
        peerSays(1, 31, 8);
        assertFalse(exchange.diverged(0, SM));
        assertTrue(exchange.reports(0).isEmpty());
        assertEquals(1, log.lines().size());
    }

    @Test
    void aMajorityIsCountedInTheMembershipInForceNotTheConfiguredOne() {
        host.members = List.of(1, 2, 3, 4, 5); // two voters added at runtime
        at15(9, 7, 7);
        assertFalse(exchange.diverged(0, SM), "two of five agree: no majority yet");
        assertTrue(host.stopped.isEmpty());
        peerSays(4, 15, 7);
        assertTrue(exchange.diverged(0, SM), "three of five agree: node 3 departed");
        assertEquals(List.of(3), exchange.reports(0).get(0).differing());
    }

    @Test
    void aRemovedNodesDigestsNoLongerCount() {
        exchange.sink(0).digest(SM, 15, 9);
        peerSays(2, 15, 7);
        host.members = List.of(1, 3, 4); // node 2 removed, node 4 added
        peerSays(1, 15, 7);
        assertFalse(exchange.diverged(0, SM), "node 2 is no member now: its digest does not make a majority");
        peerSays(4, 15, 7);
        assertTrue(exchange.diverged(0, SM));
        assertEquals(java.util.Set.of(1, 3, 4), exchange.reports(0).get(0).digests().keySet());
    }

    @Test
    void aFailedInstallStopsExecutionAgainAndRetriesFromAnotherMajorityNodeLater() {
        at15(9, 7, 7);
        exchange.tick(1);
        host.ended = ended(TransferOutcome.TIMED_OUT, "no progress from node 1 for 30000 ms");
        exchange.tick(1);
        DigestExchange.Report r = exchange.reports(0).get(0);
        assertEquals(DigestExchange.Phase.HALTED, r.phase());
        assertTrue(r.note().contains("no progress"), r.note());
        assertEquals(List.of(SM, SM), host.stopped, "stopped again: a failed install rebuilds the group with it running");
        host.ended = null;
        exchange.tick(1);
        assertEquals(List.of(1), host.pulledFrom, "not before the pause (" + DigestExchange.RETRY_MILLIS + " ms)");
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            exchange.tick(1);
            return host.pulledFrom.size() == 2;
        });
        assertEquals(List.of(1, 2), host.pulledFrom, "the next majority node");
    }

    @Test
    void whileMarkedOnlyComparisonsIncludingThisNodeClearTheMark() {
        at15(9, 7, 7);
        assertTrue(exchange.diverged(0, SM));
        peerSays(1, 31, 1);
        peerSays(2, 31, 2); // the peers disagree among themselves meanwhile: this node's record stays
        peerSays(1, 47, 5);
        peerSays(2, 47, 5); // and agree again without this node: it is still diverged
        assertTrue(exchange.diverged(0, SM));
        assertEquals(List.of(3), exchange.reports(0).get(0).differing());
    }

    @Test
    void withoutMajorityTheDivergenceIsReportedAndNobodyHalts() {
        at15(9, 7, 8);
        assertFalse(exchange.diverged(0, SM));
        assertTrue(host.stopped.isEmpty());
        DigestExchange.Report r = exchange.reports(0).get(0);
        assertFalse(r.majority());
        assertEquals(List.of(1, 2, 3), r.differing());
        assertEquals(1, log.lines().size());
    }

    @Test
    void anotherNodesDivergenceIsReportedButNotActedOnHere() {
        at15(7, 7, 9);
        assertFalse(exchange.diverged(0, SM));
        assertEquals(List.of(2), exchange.reports(0).get(0).differing());
        // node 2 agrees again at a later instance: the report clears
        exchange.sink(0).digest(SM, 31, 5);
        peerSays(2, 31, 5);
        assertTrue(exchange.reports(0).isEmpty());
    }

    @Test
    void aStateMachineThatCannotBeReinstalledStaysDivergedForTheOperator() {
        host.canPull = false;
        at15(9, 7, 7);
        exchange.tick(1);
        DigestExchange.Report r = exchange.reports(0).get(0);
        assertEquals(DigestExchange.Phase.HALTED, r.phase());
        assertTrue(r.note().contains("operator"), r.note());
        assertTrue(exchange.diverged(0, SM));
    }

    @Test
    void theExchangeSendsAtMostOneMessagePerPeerPerDigestInterval() {
        exchange.tick(1); // the first summary: who is registered here
        assertEquals(2, host.sent.size());
        for (int interval = 0; interval < 10; interval++) {
            exchange.sink(0).digest(SM, interval * 16L + 15, interval);
            for (int t = 0; t < 5; t++) exchange.tick(1); // ticks between digest points send nothing new
        }
        assertEquals(2 + 10 * 2, host.sent.size());
        assertEquals(22, exchange.messagesSent());
        // a change of the registered state machines is told at once
        host.machines = Map.of();
        exchange.tick(1);
        assertEquals(24, host.sent.size());
    }

    @Test
    void whoLacksWhichStateMachineComesFromThePeersSummaries() {
        byte[] m = DigestWire.encode(new DigestWire.Summary(0, List.of(new DigestWire.Machine(2, "1.1.0", "RUNNING", List.of()))));
        exchange.onMessage(1, 0, m);
        Map<Integer, List<Integer>> lacking = exchange.lacking(0);
        assertEquals(List.of(1), lacking.get(SM), "node 1 lacks state machine 1");
        assertEquals(List.of(3), lacking.get(2), "this node lacks state machine 2");
        assertEquals("1.1.0", exchange.presence(0).get(1).get(2).version());
        assertNull(exchange.presence(0).get(2), "node 2 never reported");
        exchange.onMessage(7, 0, m); // not a member: ignored
        assertNull(exchange.presence(0).get(7));
    }
}
