package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.impl.core.Fixture.GROUP;
import static paxos.impl.core.Fixture.drain;
import static paxos.impl.core.Fixture.only;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A follower's LINEARIZABLE read through the leader's read index ({@link GroupCore#read} on a
 * follower, {@link FollowerReads}): released only with the index the leader took when the request
 * arrived and after the leader's quorum round; released unconfirmed (the caller's barrier) on a
 * refusal, a leader change or no answer in time; bounded on both sides.
 */
class FollowerReadsTest {
    private static final GroupCore.ReadDone UNCONFIRMED_5 = new GroupCore.ReadDone(5, GroupCore.ReadDone.UNCONFIRMED);

    /** Node 2 following leader {@code leader} (node 1) at its ballot. */
    private static GroupCore followerOf(GroupCore leader, CoreConfig cfg) {
        GroupCore follower = Fixture.core(cfg, CoreState.EMPTY);
        follower.step(new Message.Heartbeat(GROUP, 1, 2, leader.ballot(), -1));
        drain(follower);
        assertEquals(1, follower.leaderId());
        return follower;
    }

    private GroupCore leader;
    private GroupCore follower;

    /** Leader 1 with one value chosen, follower 2 that started read 5: the request it sent. */
    private Message.ReadIndexRequest followerStartsARead() {
        leader = ReadIndexTest.leaderWithOneChosen();
        follower = followerOf(leader, Fixture.config(2));
        assertTrue(follower.read(5));
        return asked(follower);
    }

    private static Message.ReadIndexRequest asked(GroupCore follower) {
        List<Message.ReadIndexRequest> q = only(drain(follower).messages(), Message.ReadIndexRequest.class);
        assertEquals(1, q.size());
        return q.get(0);
    }

    @Test
    void released_onlyWithTheLeadersIndexAfterItsQuorumRound() {
        Message.ReadIndexRequest q = followerStartsARead();
        assertEquals(1, q.to());
        assertTrue(follower.drainReads().isEmpty(), "not before the leader answered");

        leader.step(q);
        List<Message> sent = drain(leader).messages();
        assertTrue(only(sent, Message.ReadIndexReply.class).isEmpty(), "not before the leader's round");
        Message.ReadProbe p = only(sent, Message.ReadProbe.class).get(0);
        assertTrue(leader.drainReads().isEmpty(), "a follower's read is not released as a local one");
        leader.step(new Message.ReadProbeAck(GROUP, 3, 1, p.ballot(), p.round()));
        Message.ReadIndexReply r = only(drain(leader).messages(), Message.ReadIndexReply.class).get(0);
        assertEquals(new Message.ReadIndexReply(GROUP, 1, 2, q.tag(), 0), r);

        follower.step(new Message.ReadIndexReply(GROUP, 3, 2, q.tag(), 0)); // only the leader asked answers
        assertTrue(follower.drainReads().isEmpty());
        follower.step(r);
        assertEquals(List.of(new GroupCore.ReadDone(5, 0)), follower.drainReads());
        follower.step(r); // a duplicate
        assertTrue(follower.drainReads().isEmpty());
    }

    @Test
    void aLeaderChangeReleasesTheReadUnconfirmedAndTheLateAnswerIsIgnored() {
        Message.ReadIndexRequest q = followerStartsARead();
        follower.step(new Message.Prepare(GROUP, 3, 2, leader.ballot() + 100, 0)); // another candidate
        assertEquals(List.of(UNCONFIRMED_5), follower.drainReads());
        follower.step(new Message.ReadIndexReply(GROUP, 1, 2, q.tag(), 0));
        assertTrue(follower.drainReads().isEmpty());
    }

    @Test
    void aDeposedLeaderAnswersUnconfirmed() {
        Message.ReadIndexRequest q = followerStartsARead();
        leader.step(q);
        Message.ReadProbe p = only(drain(leader).messages(), Message.ReadProbe.class).get(0);
        leader.step(new Message.Reject(GROUP, 3, 1, p.ballot(), p.ballot() + 100));
        Message.ReadIndexReply r = only(drain(leader).messages(), Message.ReadIndexReply.class).get(0);
        assertEquals(GroupCore.ReadDone.UNCONFIRMED, r.index());
        follower.step(r);
        assertEquals(List.of(UNCONFIRMED_5), follower.drainReads());
    }

    @Test
    void aNonLeaderRefusesAtOnce() {
        GroupCore other = Fixture.core(3);
        other.step(new Message.ReadIndexRequest(GROUP, 2, 3, 77));
        assertEquals(List.of(new Message.ReadIndexReply(GROUP, 3, 2, 77, GroupCore.ReadDone.UNCONFIRMED)),
                only(drain(other).messages(), Message.ReadIndexReply.class));
    }

    @Test
    void anUnansweredReadIsReleasedUnconfirmedWithinAnElectionTimeout() {
        followerStartsARead(); // lost
        for (int i = 1; i < follower.config().electionTimeoutTicks(); i++) {
            follower.tick();
            drain(follower);
            assertTrue(follower.drainReads().isEmpty(), "still waiting after " + i + " ticks");
        }
        follower.tick();
        assertEquals(List.of(UNCONFIRMED_5), follower.drainReads());
    }

    @Test
    void boundedOnTheFollowerAndPerFollowerAtTheLeader() {
        CoreConfig small = Fixture.config(2).withBounds(4, 1 << 20, 64, 64 << 10, 256);
        GroupCore leader = new GroupCore(Fixture.config(1).withBounds(4, 1 << 20, 64, 64 << 10, 256),
                CoreState.EMPTY, new SplittableRandom(1));
        Fixture.elect(leader);
        drain(leader);
        GroupCore follower = followerOf(leader, small);
        for (long id = 1; id <= 4; id++) assertTrue(follower.read(id));
        assertFalse(follower.read(5), "a fifth read waiting here takes the barrier");
        List<Message.ReadIndexRequest> qs = only(drain(follower).messages(), Message.ReadIndexRequest.class);
        assertEquals(4, qs.size());
        qs.forEach(leader::step);
        List<Message.ReadIndexReply> refused = only(drain(leader).messages(), Message.ReadIndexReply.class);
        assertEquals(2, refused.size(), "one follower holds at most half of the leader's slots");
        refused.forEach(r -> assertEquals(GroupCore.ReadDone.UNCONFIRMED, r.index()));
        assertTrue(leader.read(100), "the leader's own reads still have room");
    }
}
