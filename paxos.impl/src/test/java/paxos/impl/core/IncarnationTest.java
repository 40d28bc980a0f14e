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
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;

/** A node votes only where a membership lists it as the incarnation of its data directory. */
class IncarnationTest {
    private static Membership members(String incarnationOf3) {
        return new Membership(0, List.of(new Member(1, "127.0.0.1", 7001, MemberRole.VOTER),
                new Member(2, "127.0.0.1", 7002, MemberRole.VOTER),
                new Member(3, "127.0.0.1", 7003, MemberRole.VOTER, incarnationOf3)));
    }

    private static GroupCore node3(Membership m, String incarnation, boolean joining) {
        ConfigTracker t = ConfigTracker.bootstrap(m, 0).identifiedAs(incarnation, joining);
        return new GroupCore(Fixture.config(3), CoreState.EMPTY, new SplittableRandom(3), t);
    }

    private static boolean promises(GroupCore core) {
        core.step(new Message.Prepare(GROUP, 1, 3, Ballot.of(1, 1), 0));
        return !only(drain(core).messages(), Message.Promise.class).isEmpty();
    }

    @Test
    void aNodeListedWithItsIncarnationVotes() {
        assertTrue(promises(node3(members("b"), "b", false)));
    }

    @Test
    void aNodeListedWithAnotherIncarnationDoesNotVote() {
        assertFalse(promises(node3(members("a"), "b", false)), "a wiped disk must not vote for the acceptor it was");
    }

    @Test
    void aBootstrapEntryIsThisNodeUnlessItJoinedWithAFreshDirectory() {
        assertTrue(promises(node3(members(null), "b", false)));
        assertFalse(promises(node3(members(null), "b", true)));
    }

    @Test
    void aNodeThatCannotVoteTellsACandidateWhatItKnowsChosen() {
        GroupCore core = node3(members("a"), "b", false);
        core.step(new Message.Commit(GROUP, 2, 3, 0, Ballot.of(1, 2), BatchCodec.encode(List.of()), 0));
        drain(core);
        core.step(new Message.Prepare(GROUP, 1, 3, Ballot.of(2, 1), 0));
        List<Message.Commit> commits = only(drain(core).messages(), Message.Commit.class);
        assertEquals(1, commits.size());
        assertEquals(0, commits.get(0).instance());
    }
}
