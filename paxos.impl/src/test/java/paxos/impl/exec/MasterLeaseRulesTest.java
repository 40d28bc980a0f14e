package paxos.impl.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import paxos.api.MasterChangedException;
import paxos.api.MasterInfo;
import paxos.impl.core.BatchCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.core.ChosenValue;

/**
 * The master rules of the executor (claims, renewals, takeovers, conditional commands), including
 * the seed's "Using Master more strictly" scenarios at the execution level: every replica and
 * every replay decides alike because the decision is a function of the log position only.
 */
class MasterLeaseRulesTest {
    private static final int SM = 7;

    private static BatchCommand claim(int node, long version, long entry, long request) {
        return new BatchCommand(0, -1, node, request, new SystemCommand.MasterClaim(node, version, 3000, entry).encode());
    }

    private static BatchCommand write(int node, long version, long request, String value) {
        return new BatchCommand(SM, version, node, request, value.getBytes());
    }

    private static byte[] batch(BatchCommand... commands) {
        return BatchCodec.encode(List.of(commands));
    }

    /** A replica: executor, recorder and the outcomes it produced for its own node. */
    private static final class Replica {
        final GroupExecutor executor;
        final GroupExecutorTest.Recorder machine = new GroupExecutorTest.Recorder();
        final List<ExecOutcome> outcomes = new ArrayList<>();

        Replica(int node, ExecutorState start) {
            executor = new GroupExecutor(0, node, start, 1000);
            executor.register(SM, machine);
        }

        Replica feed(List<byte[]> log, long from) {
            for (long i = from; i < log.size(); i++) executor.offer(new ChosenValue(i, log.get((int) i)));
            outcomes.addAll(executor.run());
            return this;
        }

        List<String> applied() {
            List<String> out = new ArrayList<>();
            machine.calls.forEach(b -> b.commands().forEach(c -> out.add(b.instance() + ":" + new String(c.value()))));
            return out;
        }

        ExecOutcome outcome(long request) {
            return outcomes.stream().filter(o -> o.requestId() == request).findFirst().orElseThrow();
        }
    }

    @Test
    void renewalByTheMasterKeepsTheVersionAndMovesTheLeaseEntry() {
        List<byte[]> log = List.of(batch(claim(1, -1, -1, 1)), batch(claim(1, 0, 0, 2)));
        Replica r = new Replica(1, ExecutorState.INITIAL).feed(log, 0);
        assertEquals(new MasterInfo(1, 0, 3000), r.executor.master());
        assertEquals(1, r.executor.leaseEntry());
        assertEquals(new MasterInfo(1, 0, 3000), ((ExecOutcome.Completed) r.outcome(2)).result());
    }

    @Test
    void conditionalWriteProposedBeforeARenewalStillApplies() {
        List<byte[]> log = List.of(batch(claim(1, -1, -1, 1)), batch(claim(1, 0, 0, 2)), batch(write(1, 0, 3, "w")));
        Replica r = new Replica(1, ExecutorState.INITIAL).feed(log, 0);
        assertEquals(List.of("2:w"), r.applied());
    }

    @Test
    void takeoverNamingAnOlderLeaseEntryIsLost() {
        // node 2 executed the claim at 0 but not the renewal at 1; its lease timer ran out on the old entry
        List<byte[]> log = List.of(batch(claim(1, -1, -1, 1)), batch(claim(1, 0, 0, 2)), batch(claim(2, 0, 0, 3)));
        Replica r = new Replica(2, ExecutorState.INITIAL).feed(log, 0);
        assertEquals(new MasterInfo(1, 0, 3000), r.executor.master());
        assertEquals(new MasterInfo(1, 0, 3000), ((ExecOutcome.Completed) r.outcome(3)).result());
    }

    @Test
    void takeoverNamingTheLeaseEntryInForceMakesItsInstanceTheVersion() {
        List<byte[]> log = List.of(batch(claim(1, -1, -1, 1)), batch(claim(1, 0, 0, 2)), batch(claim(2, 0, 1, 3)));
        Replica r = new Replica(2, ExecutorState.INITIAL).feed(log, 0);
        assertEquals(new MasterInfo(2, 2, 3000), r.executor.master());
        assertEquals(2, r.executor.leaseEntry());
    }

    @Test
    void claimNamingAnotherVersionFailsWithMasterChanged() {
        List<byte[]> log = List.of(batch(claim(1, -1, -1, 1)), batch(claim(2, -1, -1, 2)));
        Replica r = new Replica(2, ExecutorState.INITIAL).feed(log, 0);
        ExecOutcome.Failed f = assertInstanceOf(ExecOutcome.Failed.class, r.outcome(2));
        assertEquals(0, ((MasterChangedException) f.error()).versionInForce());
    }

    @Test
    void legacyClaimFormatDecidesAsAClaimWhoseEntryIsItsVersion() {
        byte[] v1 = java.nio.ByteBuffer.allocate(21).put(SystemCommand.MASTER_CLAIM_V1).putInt(4).putLong(-1).putLong(500).array();
        assertEquals(new SystemCommand.MasterClaim(4, -1, 500, -1), SystemCommand.decode(v1));
    }

    /**
     * Seed scenario (a): A (node 1) is master at version 0 and proposes a conditional write; its
     * lease lapses, C (node 3) claims at instance 1; A's write lands at instance 2. Every replica
     * refuses it and A's caller gets MasterChangedException.
     */
    @Test
    void oldMastersWriteLandingAfterANewClaimIsRefusedOnEveryReplica() {
        List<byte[]> log = List.of(batch(claim(1, -1, -1, 1)), batch(claim(3, 0, 0, 2)), batch(write(1, 0, 3, "P")));
        for (int node = 1; node <= 3; node++) {
            Replica r = new Replica(node, ExecutorState.INITIAL).feed(log, 0);
            assertEquals(List.of(), r.applied(), "replica " + node);
            assertEquals(new MasterInfo(3, 1, 3000), r.executor.master());
            if (node == 1) {
                MasterChangedException e = (MasterChangedException) ((ExecOutcome.Failed) r.outcome(3)).error();
                assertEquals(0, e.proposedVersion());
                assertEquals(1, e.versionInForce());
            }
        }
    }

    /**
     * Seed scenario (b): replica A crashes after deciding instance 2 and before applying it; it
     * restarts from its last durable state (a checkpoint after instance 1, with the master history)
     * and replays: it decides exactly as the replicas that never crashed, although the master has
     * meanwhile changed again further in the log.
     */
    @Test
    void aReplicaReplayingAfterACrashDecidesLikeTheOthers() {
        List<byte[]> log = List.of(batch(claim(1, -1, -1, 1)), batch(claim(1, 0, 0, 2)), batch(write(1, 0, 3, "P")),
                batch(claim(2, 0, 1, 4)), batch(write(1, 0, 5, "Q"), write(2, 3, 6, "R")));
        Replica steady = new Replica(2, ExecutorState.INITIAL).feed(log, 0);
        Replica crashed = new Replica(1, ExecutorState.INITIAL).feed(log.subList(0, 2), 0);
        ExecutorState durable = new ExecutorState(2, crashed.executor.master(), crashed.executor.leaseEntry());
        Replica restarted = new Replica(1, durable).feed(log, 2);
        assertEquals(List.of("2:P", "4:R"), steady.applied());
        assertEquals(steady.applied(), restarted.applied());
        assertEquals(steady.executor.master(), restarted.executor.master());
    }

    /**
     * Every replica, whatever checkpoint it restarts from (with the state the runtime persists),
     * takes the same decisions over random logs of claims, renewals, takeovers and conditional
     * writes (200 logs).
     */
    @Test
    void decisionsArePureFunctionsOfTheLogOverRandomLogs() {
        for (long seed = 1; seed <= 200; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            List<byte[]> log = randomLog(random, 60);
            Replica full = new Replica(1, ExecutorState.INITIAL).feed(log, 0);
            int restartAt = random.nextInt(log.size());
            Replica prefix = new Replica(1, ExecutorState.INITIAL).feed(log.subList(0, restartAt), 0);
            ExecutorState durable = new ExecutorState(restartAt, prefix.executor.master(), prefix.executor.leaseEntry());
            Replica resumed = new Replica(1, durable).feed(log, restartAt);
            List<String> tail = full.applied().stream()
                    .filter(s -> Long.parseLong(s.substring(0, s.indexOf(':'))) >= restartAt).toList();
            assertEquals(tail, resumed.applied(), "seed " + seed + " restart at " + restartAt);
            assertEquals(full.executor.master(), resumed.executor.master(), "seed " + seed);
            assertEquals(full.executor.leaseEntry(), resumed.executor.leaseEntry(), "seed " + seed);
        }
    }

    /** Claims and writes that name versions and entries seen somewhat earlier in the log, as racing nodes would. */
    private static List<byte[]> randomLog(SplittableRandom random, int length) {
        List<byte[]> log = new ArrayList<>();
        Replica view = new Replica(1, ExecutorState.INITIAL);
        List<long[]> seen = new ArrayList<>(); // {version, entry} after each instance
        seen.add(new long[] {-1, -1});
        for (int i = 0; i < length; i++) {
            long[] stale = seen.get(Math.max(0, seen.size() - 1 - random.nextInt(3)));
            int node = 1 + random.nextInt(3);
            BatchCommand c = random.nextInt(3) == 0 ? claim(node, stale[0], stale[1], i)
                    : write(node, random.nextBoolean() ? stale[0] : -1, i, "v" + i);
            log.add(batch(c));
            view.feed(log, i);
            seen.add(new long[] {view.executor.master().version(), view.executor.leaseEntry()});
        }
        return log;
    }

    @Test
    void aClaimConcernsOnlyTheGroupWhoseLogHoldsIt() {
        GroupExecutor g0 = new GroupExecutor(0, 1, ExecutorState.INITIAL, 1000);
        GroupExecutor g1 = new GroupExecutor(1, 1, ExecutorState.INITIAL, 1000);
        g1.offer(new ChosenValue(0, batch(claim(2, -1, -1, 1))));
        g1.run();
        g0.register(SM, new GroupExecutorTest.Recorder());
        g0.offer(new ChosenValue(0, batch(write(1, 0, 2, "x"))));
        ExecOutcome.Failed f = (ExecOutcome.Failed) g0.run().get(0);
        assertEquals(-1, ((MasterChangedException) f.error()).versionInForce(), "group 0 never had a master");
        assertTrue(g1.master().exists());
    }

    @Test
    void drainedEntriesListEveryClaimAndRenewalOnce() {
        GroupExecutor e = new GroupExecutor(0, 1, ExecutorState.INITIAL, 1000);
        e.offer(new ChosenValue(0, batch(claim(1, -1, -1, 1))));
        e.offer(new ChosenValue(1, batch(claim(1, 0, 0, 2))));
        e.offer(new ChosenValue(2, batch(claim(2, 5, 5, 3))));
        e.run();
        assertEquals(List.of(new GroupExecutor.MasterEntry(0, new MasterInfo(1, 0, 3000)),
                new GroupExecutor.MasterEntry(1, new MasterInfo(1, 0, 3000))), e.drainMasterEntries());
        assertEquals(List.of(), e.drainMasterEntries());
    }
}
