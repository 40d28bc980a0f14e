package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.impl.core.Fixture.GROUP;
import static paxos.impl.core.Fixture.drain;
import static paxos.impl.core.Fixture.only;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pre-vote (leader stickiness): a voter that hears a live leader refuses to help anyone else
 * raise a ballot, so a node coming back from a cut does not depose a healthy leader; and it
 * does not cost liveness when the leader really is gone. Also the core's "quorum reachable" query.
 */
class PreVoteTest {
    /** Three cores on one FIFO wire; messages from or to a node in {@code cut} are dropped. */
    private static final class Cluster {
        final GroupCore[] cores = new GroupCore[4];
        final ArrayDeque<Message> wire = new ArrayDeque<>();
        final Set<Integer> cut = new HashSet<>();
        /** One-way cuts, as {@code from * 10 + to}. */
        final Set<Integer> oneWay = new HashSet<>();

        Cluster(boolean preVote) {
            for (int n = 1; n <= 3; n++) cores[n] = Fixture.core(Fixture.config(n).withPreVote(preVote), CoreState.EMPTY);
        }

        void run(int ticks) {
            for (int t = 0; t < ticks; t++) {
                for (int n = 1; n <= 3; n++) cores[n].tick();
                for (int i = 0; i < 10_000; i++) { // bounded pump
                    for (int n = 1; n <= 3; n++) {
                        while (cores[n].hasReady()) {
                            Ready r = cores[n].ready();
                            wire.addAll(r.messages());
                            cores[n].advance(r);
                        }
                    }
                    Message m = wire.pollFirst();
                    if (m == null) break;
                    if (!cut.contains(m.from()) && !cut.contains(m.to()) && !oneWay.contains(m.from() * 10 + m.to()))
                        cores[m.to()].step(m);
                }
            }
        }

        int leader() {
            for (int n = 1; n <= 3; n++) if (cores[n].role() == GroupCore.Role.LEADER && !cut.contains(n)) return n;
            return 0;
        }
    }

    @Test
    void aFollowerThatHearsALiveLeaderRefusesThenGrantsAfterSilence() {
        GroupCore node = Fixture.core(2);
        node.step(new Message.Heartbeat(GROUP, 1, 2, Ballot.of(1, 1), -1));
        long promised = node.promisedBallot();
        node.step(new Message.PreVote(GROUP, 3, 2, Ballot.of(2, 3)));
        Message.PreVoteReply refused = only(drain(node).messages(), Message.PreVoteReply.class).get(0);
        assertFalse(refused.granted());
        assertEquals(promised, node.promisedBallot(), "a pre-vote promises nothing");
        // The leader itself may ask (it restarted): no other leader is heard.
        node.step(new Message.PreVote(GROUP, 1, 2, Ballot.of(2, 1)));
        assertTrue(only(drain(node).messages(), Message.PreVoteReply.class).get(0).granted());
        for (int i = 0; i < Fixture.config(2).electionTimeoutTicks(); i++) node.tick();
        drain(node);
        node.step(new Message.PreVote(GROUP, 3, 2, Ballot.of(2, 3)));
        assertTrue(only(drain(node).messages(), Message.PreVoteReply.class).stream().anyMatch(Message.PreVoteReply::granted));
    }

    @Test
    void aPreVoteBelowThePromiseIsRefusedAndThePromiseSentBack() {
        // seed 5616: node 1 pre-voted at round 7 while node 3's phase 1 at a higher round 7 ballot was
        // promised; the voters granted, node 1 ran phase 1 at round 8, was cut off, and its promise
        // made the leader elected meanwhile (node 3) step down when it came back
        GroupCore voter = Fixture.core(2);
        voter.step(new Message.Prepare(GROUP, 3, 2, Ballot.of(7, 3), 0));
        long promised = voter.promisedBallot();
        drain(voter);
        voter.step(new Message.PreVote(GROUP, 1, 2, Ballot.of(7, 1)));
        java.util.List<Message> out = drain(voter).messages();
        assertFalse(only(out, Message.PreVoteReply.class).get(0).granted(), "a stale round is refused");
        assertEquals(promised, only(out, Message.Reject.class).get(0).promised(), "the asker learns the promise");
        voter.step(new Message.PreVote(GROUP, 1, 2, Ballot.of(8, 1)));
        assertTrue(only(drain(voter).messages(), Message.PreVoteReply.class).get(0).granted(), "a round above it is granted");
    }

    /** Ticks {@code node} (bounded) until its election timer fires and it asks node 1 for a pre-vote. */
    private static Message.PreVote tickUntilPreVoteTo1(GroupCore node) {
        Message.PreVote asked = null;
        for (int i = 0; i < 1_000 && asked == null; i++) {
            node.tick();
            asked = only(drain(node).messages(), Message.PreVote.class).stream().filter(m -> m.to() == 1).findFirst().orElse(null);
        }
        assertTrue(asked != null);
        return asked;
    }

    @Test
    void aLeaderRefusesPreVotes() {
        GroupCore leader = Fixture.core(1);
        Fixture.elect(leader);
        leader.step(new Message.PreVote(GROUP, 3, 1, Ballot.of(9, 3)));
        assertFalse(only(drain(leader).messages(), Message.PreVoteReply.class).get(0).granted());
    }

    @Test
    void aCutOffNodeRaisesNoBallotAndDoesNotDeposeTheLeaderWhenItComesBack() {
        Cluster c = new Cluster(true);
        c.run(100);
        int leader = c.leader();
        assertNotEquals(0, leader);
        long ballot = c.cores[leader].ballot();
        int other = leader == 3 ? 2 : 3;
        long promised = c.cores[other].promisedBallot();
        c.cut.add(other);
        c.run(300); // many election timeouts
        assertEquals(promised, c.cores[other].promisedBallot(), "no quorum of pre-votes: no ballot raised");
        c.cut.clear();
        c.run(100);
        assertEquals(leader, c.leader());
        assertEquals(ballot, c.cores[leader].ballot(), "the leader kept its ballot: no leadership change");
        assertEquals(leader, c.cores[other].leaderId());
    }

    @Test
    void aCandidateCutOffDuringItsPhaseOneRaisesNoFurtherBallot() {
        // seed 1479: its pre-vote granted, then cut off before the promises came; it retried phase 1
        // alone every four election timeouts and came back with a ballot that unseated the new leader
        GroupCore node = Fixture.core(Fixture.config(3).withPreVote(true), CoreState.EMPTY);
        Message.PreVote asked = tickUntilPreVoteTo1(node);
        node.step(new Message.PreVoteReply(GROUP, 1, 3, asked.ballot(), true));
        drain(node);
        assertEquals(GroupCore.Role.CANDIDATE, node.role());
        long promised = node.promisedBallot();
        for (int i = 0; i < 20 * Fixture.config(3).electionTimeoutTicks(); i++) {
            node.tick();
            drain(node);
        }
        assertEquals(promised, node.promisedBallot(), "no quorum of pre-votes: no ballot raised");
    }

    @Test
    void aPreVoteRoundOvertakenByAnotherPhaseOneDoesNotStartPhaseOne() {
        // seed 5159: node 3's grants came from voters that had not yet seen node 5's higher Prepare;
        // node 3 had (a reject), ran phase 1 above node 5, was cut off and deposed it on return
        GroupCore node = Fixture.core(Fixture.config(3).withPreVote(true), CoreState.EMPTY);
        Message.PreVote asked = tickUntilPreVoteTo1(node);
        node.step(new Message.Prepare(GROUP, 2, 3, Ballot.nextAbove(asked.ballot(), 2), 0));
        drain(node);
        long promised = node.promisedBallot();
        node.step(new Message.PreVoteReply(GROUP, 1, 3, asked.ballot(), true));
        drain(node);
        assertEquals(GroupCore.Role.FOLLOWER, node.role(), "the round is stale: no rival phase 1");
        assertEquals(promised, node.promisedBallot());
    }

    @Test
    void aVoterGrantsOneAskerPerElectionTimeoutAndACandidateGrantsNone() {
        // seed 8710 (voters 3, 4, 5): node 3 granted node 4's pre-vote (round 3), then node 5's (round 3,
        // higher ballot) before node 4's Prepare arrived, and node 4, already a candidate, granted it too;
        // both ran phase 1, node 5 was cut off before its Prepare went out, node 4 won, and node 5's
        // promise (above node 4's ballot) made node 4 step down at the heal
        GroupCore voter = Fixture.core(Fixture.config(2).withPreVote(true), CoreState.EMPTY);
        voter.step(new Message.PreVote(GROUP, 1, 2, Ballot.of(3, 1)));
        assertTrue(only(drain(voter).messages(), Message.PreVoteReply.class).get(0).granted());
        voter.step(new Message.PreVote(GROUP, 3, 2, Ballot.of(3, 3)));
        assertFalse(only(drain(voter).messages(), Message.PreVoteReply.class).get(0).granted(),
                "another asker within an election timeout of a grant is refused");
        for (int i = 0; i < Fixture.config(2).electionTimeoutTicks(); i++) {
            voter.tick();
            drain(voter);
        }
        voter.step(new Message.PreVote(GROUP, 3, 2, Ballot.of(3, 3)));
        assertTrue(only(drain(voter).messages(), Message.PreVoteReply.class).get(0).granted(), "granted once it expired");

        GroupCore candidate = Fixture.core(Fixture.config(3).withPreVote(true), CoreState.EMPTY);
        Message.PreVote asked = tickUntilPreVoteTo1(candidate);
        candidate.step(new Message.PreVoteReply(GROUP, 1, 3, asked.ballot(), true));
        drain(candidate);
        assertEquals(GroupCore.Role.CANDIDATE, candidate.role());
        candidate.step(new Message.PreVote(GROUP, 2, 3, Ballot.nextAbove(candidate.promisedBallot(), 2)));
        assertFalse(only(drain(candidate).messages(), Message.PreVoteReply.class).get(0).granted(),
                "a candidate grants no rival round");
    }

    @Test
    void withoutPreVoteTheReturningNodeDeposesTheLeader() {
        Cluster c = new Cluster(false);
        c.run(100);
        int leader = c.leader();
        long ballot = c.cores[leader].ballot();
        int other = leader == 3 ? 2 : 3;
        c.cut.add(other);
        c.run(300);
        c.cut.clear();
        c.run(100);
        assertTrue(c.leader() != leader || c.cores[leader].ballot() != ballot, "the rule is what keeps the leader");
    }

    /** A "bridge": without pre-vote the same cut deposes the leader (checked when this test was written). */
    @Test
    void aOneWayCutFromTheLeaderToOneFollowerDoesNotMakeLeadersFlap() {
        Cluster c = new Cluster(true);
        c.run(100);
        int leader = c.leader();
        long ballot = c.cores[leader].ballot();
        int deaf = leader == 3 ? 2 : 3; // hears nothing from the leader, still hears the third node
        c.oneWay.add(leader * 10 + deaf);
        c.run(500);
        assertEquals(leader, c.leader());
        assertEquals(ballot, c.cores[leader].ballot(), "the third node still hears the leader and refuses its pre-votes");
    }

    @Test
    void aDeadLeaderIsReplacedWithinAFewElectionTimeouts() {
        Cluster c = new Cluster(true);
        c.run(100);
        int leader = c.leader();
        c.cut.add(leader);
        c.run(4 * Fixture.config(1).electionTimeoutTicks());
        int next = c.leader();
        assertNotEquals(0, next);
        assertNotEquals(leader, next);
    }

    @Test
    void quorumReachableFollowsWhatTheCoreHears() {
        Cluster c = new Cluster(true);
        assertTrue(c.cores[1].quorumReachable(), "optimistic during the first election timeout");
        c.run(100);
        int leader = c.leader();
        for (int n = 1; n <= 3; n++) if (n != leader) assertTrue(c.cores[n].quorumReachable(), "follower " + n + " hears the leader");
        int other = leader == 3 ? 2 : 3;
        c.cut.add(other);
        c.run(2 * Fixture.config(1).electionTimeoutTicks());
        assertFalse(c.cores[other].quorumReachable(), "cut off: no leader, no peer heard");
        // An idle leader hears nothing back (the runtime adds transport liveness); a write's accepts do.
        c.cores[leader].propose(java.util.List.of(Fixture.command(leader, 1, "w")));
        c.run(1);
        assertTrue(c.cores[leader].quorumReachable(), "the leader hears the third node's accepted");
        c.cut.clear();
        c.run(20);
        assertTrue(c.cores[other].quorumReachable());
    }
}
