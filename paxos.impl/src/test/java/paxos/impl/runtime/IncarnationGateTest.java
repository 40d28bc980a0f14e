package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.impl.core.CoreConfig;
import paxos.impl.core.CoreState;
import paxos.impl.core.GroupCore;
import paxos.impl.core.Message;

/** The engine steps votes only from the incarnation a member was added with. */
class IncarnationGateTest {
    private static GroupCore core(String incarnationOf2) {
        Membership m = new Membership(0, List.of(new Member(1, "127.0.0.1", 7001, MemberRole.VOTER),
                new Member(2, "127.0.0.1", 7002, MemberRole.VOTER, incarnationOf2),
                new Member(3, "127.0.0.1", 7003, MemberRole.VOTER)));
        return new GroupCore(CoreConfig.defaults(0, 1, m), CoreState.EMPTY, new SplittableRandom(1));
    }

    private static final Message.Accepted VOTE_FROM_2 = new Message.Accepted(0, 2, 1, 5, 0);
    private static final Message.Accepted VOTE_FROM_3 = new Message.Accepted(0, 3, 1, 5, 0);

    @Test
    void votesFromTheListedIncarnationPassOthersDoNot() {
        IncarnationGate gate = IncarnationGate.create();
        GroupCore core = core("a1");
        assertTrue(gate.admits(VOTE_FROM_2, "a1", core));
        assertFalse(gate.admits(VOTE_FROM_2, "b2", core));
        assertFalse(gate.admits(VOTE_FROM_2, null, core), "a sender that presents none is not the listed incarnation");
        assertFalse(gate.admits(new Message.Prepare(0, 2, 1, 5, 0), "b2", core), "nor may it lead with its forgotten vote");
    }

    @Test
    void aBootstrapMemberIsPinnedToTheFirstIncarnationSeen() {
        IncarnationGate gate = IncarnationGate.create();
        GroupCore core = core(null);
        assertTrue(gate.admits(VOTE_FROM_3, "c1", core));
        assertTrue(gate.admits(VOTE_FROM_3, "c1", core));
        assertFalse(gate.admits(VOTE_FROM_3, "c2", core), "node 3 came back with another disk");
    }

    @Test
    void learningFromAnotherIncarnationPasses() {
        GroupCore core = core("a1");
        assertTrue(IncarnationGate.create().admits(new Message.Heartbeat(0, 2, 1, 5, 3), "b2", core));
        assertTrue(IncarnationGate.disabled().admits(VOTE_FROM_2, "b2", core));
    }
}
