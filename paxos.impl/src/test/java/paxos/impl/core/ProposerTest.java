package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.impl.core.Fixture.GROUP;
import static paxos.impl.core.Fixture.command;
import static paxos.impl.core.Fixture.drain;
import static paxos.impl.core.Fixture.only;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Claims about the proposer (leader) role, one per test. */
class ProposerTest {
    private final GroupCore node = Fixture.core(1);

    private Message.Prepare candidate() {
        return only(Fixture.tickUntilCandidate(node).messages(), Message.Prepare.class).get(0);
    }

    @Test
    void voterRunsPhaseOneAfterElectionTimeoutWithoutHeartbeat() {
        Message.Prepare p = candidate();
        assertEquals(GroupCore.Role.CANDIDATE, node.role());
        assertEquals(0, p.fromInstance());
        assertEquals(1, Ballot.node(p.ballot()));
    }

    @Test
    void proposerAdoptsHighestBallotAcceptedValueFromPrepareReplies() {
        Message.Prepare p = candidate();
        // node 1's own acceptor has nothing; node 2 reports instance 0 accepted at two ballots' worth of history
        node.step(new Message.Promise(GROUP, 2, 1, p.ballot(), 0, -1,
                List.of(new Message.Entry(0, Ballot.of(1, 3), "old".getBytes(), false)), false));
        // quorum reached (self + 2): instance 0 is re-proposed with node 2's value
        Message.Accept a = only(drain(node).messages(), Message.Accept.class).get(0);
        assertEquals(0, a.instance());
        assertEquals("old", new String(a.value()));
    }

    @Test
    void proposerPrefersTheHigherBallotWhenRepliesDisagree() {
        GroupCore five = Fixture.core(CoreConfig.defaults(GROUP, 1, Fixture.members(5)).withTimeouts(2, 10, 3), CoreState.EMPTY);
        Message.Prepare p = only(Fixture.tickUntilCandidate(five).messages(), Message.Prepare.class).get(0);
        five.step(new Message.Promise(GROUP, 2, 1, p.ballot(), 0, -1, List.of(new Message.Entry(0, Ballot.of(1, 2), "low".getBytes(), false)), false));
        five.step(new Message.Promise(GROUP, 3, 1, p.ballot(), 0, -1, List.of(new Message.Entry(0, Ballot.of(2, 3), "high".getBytes(), false)), false));
        Message.Accept a = only(drain(five).messages(), Message.Accept.class).get(0);
        assertEquals("high", new String(a.value()));
    }

    @Test
    void gapsNoAcceptorReportedAreFilledWithNoOps() {
        Message.Prepare p = candidate();
        node.step(new Message.Promise(GROUP, 2, 1, p.ballot(), 0, -1,
                List.of(new Message.Entry(2, Ballot.of(1, 3), "two".getBytes(), false)), false));
        List<Message.Accept> accepts = only(drain(node).messages(), Message.Accept.class);
        assertArrayEquals(BatchCodec.noOp(), accepts.stream().filter(a -> a.instance() == 0).findFirst().orElseThrow().value());
        assertArrayEquals(BatchCodec.noOp(), accepts.stream().filter(a -> a.instance() == 1).findFirst().orElseThrow().value());
        assertEquals("two", new String(accepts.stream().filter(a -> a.instance() == 2).findFirst().orElseThrow().value()));
    }

    @Test
    void aChosenInstanceIsNeverReProposedWithADifferentValue() {
        Message.Prepare p = candidate();
        node.step(new Message.Promise(GROUP, 2, 1, p.ballot(), 0, -1,
                List.of(new Message.Entry(0, Ballot.of(1, 3), "chosen".getBytes(), true)), false));
        node.propose(List.of(command(1, 1, "new")));
        Ready r = drain(node);
        assertTrue(only(r.messages(), Message.Accept.class).stream().noneMatch(a -> a.instance() == 0));
        assertEquals("chosen", new String(r.toApply().get(0).value()));
    }

    @Test
    void fastPathSkipsPhaseOneAfterAnUninterruptedInstance() {
        Fixture.elect(node);
        node.propose(List.of(command(1, 1, "a")));
        Ready first = drain(node);
        Message.Accept a = only(first.messages(), Message.Accept.class).get(0);
        node.step(new Message.Accepted(GROUP, 2, 1, a.ballot(), a.instance()));
        node.propose(List.of(command(1, 2, "b")));
        Ready second = drain(node);
        assertTrue(only(second.messages(), Message.Prepare.class).isEmpty(), "no phase 1 for the next instance");
        assertEquals(a.instance() + 1, only(second.messages(), Message.Accept.class).get(0).instance());
    }

    @Test
    void pipelinedValuesApplyInInstanceOrder() {
        Fixture.elect(node);
        node.propose(List.of(command(1, 1, "a")));
        Message.Accept a0 = only(drain(node).messages(), Message.Accept.class).get(0);
        node.propose(List.of(command(1, 2, "b")));
        Message.Accept a1 = only(drain(node).messages(), Message.Accept.class).get(0);
        assertEquals(a0.instance() + 1, a1.instance(), "second instance in flight before the first is chosen");
        node.step(new Message.Accepted(GROUP, 2, 1, a1.ballot(), a1.instance()));
        assertTrue(drain(node).toApply().isEmpty(), "instance 1 chosen, but 0 is not: nothing applies");
        node.step(new Message.Accepted(GROUP, 2, 1, a0.ballot(), a0.instance()));
        List<ChosenValue> applied = drain(node).toApply();
        assertEquals(List.of(a0.instance(), a1.instance()), applied.stream().map(ChosenValue::instance).toList());
    }

    @Test
    void windowBoundsInstancesInFlight() {
        Fixture.elect(node);
        for (int i = 0; i < 10; i++) {
            node.propose(List.of(command(1, i, "v" + i)));
            drain(node); // a Ready per proposal: each would start an instance of its own
        }
        assertEquals(4, node.inFlightCount());
        assertEquals(6, node.queuedCount());
    }

    @Test
    void proposalsOfferedBeforeTheNextReadyShareOneInstance() {
        Fixture.elect(node);
        for (int i = 0; i < 10; i++) node.propose(List.of(command(1, i, "v" + i)));
        assertEquals(0, node.inFlightCount(), "no instance before the Ready is asked for");
        List<Message.Accept> accepts = only(drain(node).messages(), Message.Accept.class);
        assertEquals(1, node.inFlightCount());
        assertEquals(0, node.queuedCount());
        assertEquals(1, accepts.stream().map(Message.Accept::instance).distinct().count(), "one instance carries all ten");
    }

    @Test
    void batchingPacksQueuedProposalsIntoOneInstance() {
        GroupCore batching = Fixture.core(Fixture.config(1).withBatching(1, 16, 4096, 5, 1024), CoreState.EMPTY);
        Fixture.elect(batching);
        for (int i = 0; i < 3; i++) batching.propose(List.of(command(1, i, "v" + i)));
        assertTrue(only(drain(batching).messages(), Message.Accept.class).isEmpty(), "waits for the batch delay");
        for (int i = 0; i < 5; i++) batching.tick();
        Message.Accept a = only(drain(batching).messages(), Message.Accept.class).get(0);
        assertEquals(3, BatchCodec.decode(a.value(), 100).size());
    }

    @Test
    void rejectCarryingAHigherPromiseMakesTheLeaderStepDown() {
        Fixture.elect(node);
        node.propose(List.of(command(1, 1, "a")));
        Message.Accept a = only(drain(node).messages(), Message.Accept.class).get(0);
        node.step(new Message.Reject(GROUP, 2, 1, a.ballot(), Ballot.of(Ballot.round(a.ballot()) + 1, 3)));
        assertEquals(GroupCore.Role.FOLLOWER, node.role());
    }

    @Test
    void nextCampaignUsesABallotAboveEveryBallotSeen() {
        Message.Prepare first = candidate();
        long higher = Ballot.of(Ballot.round(first.ballot()) + 5, 3);
        node.step(new Message.Reject(GROUP, 2, 1, first.ballot(), higher));
        Message.Prepare second = candidate();
        assertTrue(second.ballot() > higher);
        assertNotEquals(first.ballot(), second.ballot());
    }

    @Test
    void truncatedPromiseIsAskedAgainFromTheNextInstance() {
        Message.Prepare p = candidate();
        node.step(new Message.Promise(GROUP, 2, 1, p.ballot(), 0, -1,
                List.of(new Message.Entry(0, Ballot.of(1, 3), "a".getBytes(), false)), true));
        Message.Prepare again = only(drain(node).messages(), Message.Prepare.class).get(0);
        assertEquals(2, again.to());
        assertEquals(1, again.fromInstance());
        assertEquals(GroupCore.Role.CANDIDATE, node.role(), "not a leader until node 2's answer is complete");
    }

    @Test
    void candidateBehindAnAcceptorStepsDownAndCatchesUp() {
        Message.Prepare p = candidate();
        node.step(new Message.Promise(GROUP, 2, 1, p.ballot(), 0, 40, List.of(), false));
        assertEquals(GroupCore.Role.FOLLOWER, node.role());
        Message.CatchUpRequest q = only(drain(node).messages(), Message.CatchUpRequest.class).get(0);
        assertEquals(0, q.fromInstance());
    }

    /**
     * The followers' votes choose instances before the leader's own accepts are durable (its own
     * vote comes back only after its fsync): the window alone would let a leader with a slow disk
     * run ahead of it without bound. At most twice the window of its own accepts wait for its disk.
     */
    @Test
    void aLeaderProposesAtMostTwiceTheWindowAheadOfItsOwnDisk() {
        Fixture.elect(node); // window 4, one batch per Ready here
        List<Message.Accepted> ownVotes = new java.util.ArrayList<>();
        int proposed = 0;
        for (int i = 0; i < 20; i++) {
            node.propose(List.of(command(1, 100 + i, "v" + i)));
            if (!node.hasReady()) continue;
            Ready r = node.ready();
            node.advance(r);
            for (Message.Accept a : only(r.messages(), Message.Accept.class)) {
                if (a.to() != 2) continue;
                proposed++;
                node.step(new Message.Accepted(GROUP, 2, 1, a.ballot(), a.instance())); // chosen: self + 2 not needed
                node.step(new Message.Accepted(GROUP, 3, 1, a.ballot(), a.instance()));
            }
            ownVotes.addAll(only(r.messages(), Message.Accepted.class)); // held: the leader's disk is slow
        }
        assertEquals(8, proposed, "proposed while its own accepts were not durable");
        for (Message.Accepted own : ownVotes) node.step(own); // the disk caught up
        Ready next = drain(node);
        assertTrue(only(next.messages(), Message.Accept.class).size() > 0, "proposes again once its accepts are durable");
    }
}
