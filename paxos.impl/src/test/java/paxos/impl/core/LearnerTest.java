package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.impl.core.Fixture.GROUP;
import static paxos.impl.core.Fixture.command;
import static paxos.impl.core.Fixture.drain;
import static paxos.impl.core.Fixture.only;

import java.util.List;
import org.junit.jupiter.api.Test;
import paxos.api.spi.log.InstanceRecord;
import paxos.api.spi.log.LogRecord;

/** Claims about learning, catch-up, forwarding and the Ready contract, one per test. */
class LearnerTest {
    private final GroupCore follower = Fixture.core(3);

    @Test
    void commitWithoutValueIsLearnedFromTheMatchingAccept() {
        long b = Ballot.of(1, 1);
        follower.step(new Message.Accept(GROUP, 1, 3, b, 0, "x".getBytes(), -1));
        drain(follower);
        follower.step(new Message.Commit(GROUP, 1, 3, 0, b, null, 0));
        Ready r = drain(follower);
        assertTrue(r.toPersist().stream().anyMatch(x -> x instanceof LogRecord.Chosen c && c.instance() == 0));
        assertEquals("x", new String(r.toApply().get(0).value()));
    }

    @Test
    void laggingNodeAsksForARangeNotOneRequestPerInstance() {
        follower.step(new Message.Heartbeat(GROUP, 1, 3, Ballot.of(1, 1), 40));
        List<Message.CatchUpRequest> asks = only(drain(follower).messages(), Message.CatchUpRequest.class);
        assertEquals(1, asks.size());
        assertEquals(0, asks.get(0).fromInstance());
        assertEquals(41, asks.get(0).toInstance());
        assertEquals(1, asks.get(0).to());
    }

    @Test
    void catchUpIsServedThroughABoundedStorageRead() {
        follower.step(new Message.CatchUpRequest(GROUP, 2, 3, 5, 1000));
        CatchUpRead read = drain(follower).catchUpReads().get(0);
        assertEquals(2, read.toNode());
        assertEquals(5 + follower.config().replyEntriesMax(), read.toInstance());
        Message.CatchUpReply reply = read.reply(List.of(new InstanceRecord(GROUP, 5, 9, "v".getBytes(), true),
                new InstanceRecord(GROUP, 6, 9, "w".getBytes(), false)));
        assertEquals(1, reply.entries().size(), "only chosen values are served");
    }

    @Test
    void catchUpReplyIsAppliedInOrderAndTheNextRangeIsRequested() {
        CoreConfig cfg = Fixture.config(3).withBounds(100, 1 << 20, 2, 1 << 20, 16);
        GroupCore small = Fixture.core(cfg, CoreState.EMPTY);
        small.step(new Message.Heartbeat(GROUP, 1, 3, Ballot.of(1, 1), 3));
        drain(small);
        small.step(new Message.CatchUpReply(GROUP, 1, 3, List.of(new Message.Entry(0, 9, "a".getBytes(), true),
                new Message.Entry(1, 9, "b".getBytes(), true)), 3));
        Ready r = drain(small);
        assertEquals(2, r.toApply().size());
        assertEquals(2, only(r.messages(), Message.CatchUpRequest.class).get(0).fromInstance());
    }

    /** A reply of {@code count} values of {@code bytes} each from node 1, from {@code from} on. */
    private static Message.CatchUpReply reply(long from, int count, int bytes, long peerChosen) {
        List<Message.Entry> entries = new java.util.ArrayList<>();
        for (long i = from; i < from + count; i++) entries.add(new Message.Entry(i, 9, new byte[bytes], true));
        return new Message.CatchUpReply(GROUP, 1, 3, entries, peerChosen);
    }

    @Test
    void onceValueSizesAreKnownSeveralRequestsForConsecutiveRangesAreOutstanding() {
        follower.step(new Message.Heartbeat(GROUP, 1, 3, Ballot.of(1, 1), 10_000));
        assertEquals(1, only(drain(follower).messages(), Message.CatchUpRequest.class).size(), "sizes unknown: one request");
        follower.step(reply(0, 2, 100 << 10, 10_000)); // 100 KiB values: two per ~256 KiB request
        List<Message.CatchUpRequest> asks = only(drain(follower).messages(), Message.CatchUpRequest.class);
        assertEquals(CatchUp.REQUESTS_MAX, asks.size());
        long from = 2;
        for (Message.CatchUpRequest q : asks) {
            assertEquals(from, q.fromInstance(), "consecutive, no gap, no overlap");
            assertEquals(from + 2, q.toInstance());
            assertEquals(1, q.to());
            from = q.toInstance();
        }
        follower.step(reply(2, 2, 100 << 10, 10_000));
        List<Message.CatchUpRequest> next = only(drain(follower).messages(), Message.CatchUpRequest.class);
        assertEquals(1, next.size(), "one answered: one more goes out, the bound holds");
        assertEquals(from, next.get(0).fromInstance());
    }

    @Test
    void theRestOfAReplyCutShortIsAskedAgainFirst() {
        follower.step(new Message.Heartbeat(GROUP, 1, 3, Ballot.of(1, 1), 10_000));
        drain(follower);
        follower.step(reply(0, 4, 10 << 10, 10_000));
        List<Message.CatchUpRequest> asks = only(drain(follower).messages(), Message.CatchUpRequest.class);
        Message.CatchUpRequest first = asks.get(0);
        follower.step(reply(first.fromInstance(), 3, 10 << 10, 10_000)); // fewer than asked (the server's byte bound)
        Message.CatchUpRequest rest = only(drain(follower).messages(), Message.CatchUpRequest.class).get(0);
        assertEquals(first.fromInstance() + 3, rest.fromInstance());
        assertEquals(first.toInstance(), rest.toInstance());
    }

    @Test
    void withoutProgressForTheRetransmitTimeEverythingIsAskedAgainOfTheNextPeer() {
        follower.step(new Message.Heartbeat(GROUP, 1, 3, Ballot.of(1, 1), 10_000));
        drain(follower);
        follower.step(reply(1, 2, 10 << 10, 10_000)); // node 1 lacks instance 0: nothing contiguous
        drain(follower);
        List<Message.CatchUpRequest> again = List.of();
        for (int t = 0; t < 2 * follower.config().retransmitTicks() && again.isEmpty(); t++) {
            follower.tick();
            again = only(drain(follower).messages(), Message.CatchUpRequest.class);
        }
        assertEquals(0, again.get(0).fromInstance(), "from the first instance not known chosen");
        assertEquals(2, again.get(0).to(), "of the other peer");
    }

    @Test
    void aHeldCatchUpSendsNothingNewUntilReleased() {
        follower.holdCatchUp(true);
        follower.step(new Message.Heartbeat(GROUP, 1, 3, Ballot.of(1, 1), 40));
        assertTrue(only(drain(follower).messages(), Message.CatchUpRequest.class).isEmpty());
        follower.holdCatchUp(false);
        follower.tick();
        assertEquals(0, only(drain(follower).messages(), Message.CatchUpRequest.class).get(0).fromInstance());
    }

    @Test
    void followerForwardsProposalsToTheLeaderItHeardOf() {
        follower.step(new Message.Heartbeat(GROUP, 1, 3, Ballot.of(1, 1), -1));
        drain(follower);
        follower.propose(List.of(command(3, 7, "v")));
        Message.Forward f = only(drain(follower).messages(), Message.Forward.class).get(0);
        assertEquals(1, f.to());
        assertEquals(7, f.units().get(0).get(0).requestId());
    }

    @Test
    void leaderDropsDuplicatedForwards() {
        GroupCore leader = Fixture.core(1);
        Fixture.elect(leader);
        Message.Forward f = new Message.Forward(GROUP, 3, 1, List.of(List.of(command(3, 7, "v"))), 1);
        leader.step(f);
        leader.step(f);
        assertEquals(1, only(drain(leader).messages(), Message.Accept.class).stream().map(Message.Accept::instance).distinct().count());
    }

    @Test
    void readiesMustBeAdvancedInTheOrderTheyWereTaken() {
        follower.step(new Message.Prepare(GROUP, 1, 3, Ballot.of(1, 1), 0));
        Ready first = follower.ready();
        follower.step(new Message.Prepare(GROUP, 2, 3, Ballot.of(2, 2), 0));
        Ready second = follower.ready();
        assertThrows(IllegalStateException.class, () -> follower.advance(second));
        follower.advance(first);
        follower.advance(second);
    }

    @Test
    void restartedCoreAppliesPersistedChosenValuesFromApplyFrom() {
        CoreState state = new CoreState(Ballot.of(2, 1), List.of(
                new InstanceRecord(GROUP, 0, Ballot.of(2, 1), "a".getBytes(), true),
                new InstanceRecord(GROUP, 1, Ballot.of(2, 1), "b".getBytes(), true),
                new InstanceRecord(GROUP, 2, Ballot.of(2, 1), "c".getBytes(), false)), 1);
        GroupCore restarted = Fixture.core(Fixture.config(3), state);
        Ready r = drain(restarted);
        assertEquals(1, r.toApply().size());
        assertEquals(1, r.toApply().get(0).instance());
        assertTrue(r.toPersist().isEmpty(), "recovery persists nothing");
        assertEquals(1, restarted.chosenUpTo());
    }
}
