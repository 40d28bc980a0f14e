package paxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.MembershipChange;

/**
 * The operator's memory of changes that may still be chosen: a change counts for the wipe rule
 * until another change moved the membership's version (then it is a no-op wherever it is chosen).
 */
class OperatorChangesTest {
    private static Member voter(int id) {
        return new Member(id, "127.0.0.1", 7000 + id, MemberRole.VOTER, null);
    }

    private static final Membership V0 = new Membership(0, List.of(voter(1), voter(2), voter(3)));

    @Test
    void aTimedOutChangeStillCountsUntilAnotherChangeIsDecided() {
        OperatorChanges changes = new OperatorChanges();
        changes.proposed(0, V0, new MembershipChange.ChangeRole(2, MemberRole.FOLLOWER));
        List<Membership> may = changes.mayStillApply(0, 0);
        assertEquals(1, may.size());
        Membership m = may.get(0);
        // seed 1845: with node 3's disk wiped, node 1 alone is left of this membership's two voters
        long intactVoters = m.members().stream().filter(x -> x.role() == MemberRole.VOTER && x.nodeId() != 3).count();
        assertTrue(intactVoters < m.quorum(), m.toString());
        assertTrue(changes.mayStillApply(1, 0).isEmpty(), "another group");
        assertTrue(changes.mayStillApply(0, 9).isEmpty(), "version 9 decided: the compare-and-set on 0 never applies");
        assertTrue(changes.mayStillApply(0, 0).isEmpty(), "forgotten");
    }

    @Test
    void appliesEachKindAndSkipsWhatTheRuntimeRefuses() {
        Member four = voter(4);
        assertEquals(4, OperatorChanges.apply(V0, new MembershipChange.Add(four)).size());
        assertEquals(List.of(voter(1), voter(3)), OperatorChanges.apply(V0, new MembershipChange.Remove(2)));
        assertEquals(List.of(voter(1), voter(3), four), OperatorChanges.apply(V0, new MembershipChange.Replace(2, four))); // the runtime sorts by node ID
        assertNull(OperatorChanges.apply(V0, new MembershipChange.Add(voter(2))));
        assertNull(OperatorChanges.apply(V0, new MembershipChange.Remove(5)));
    }

    @Test
    void seed1845NoLongerWipesADiskAPendingChangeNeeds() {
        // the operator wiped node 3 while its change of node 2 to follower, accepted by node 1 only, was
        // still recoverable: chosen later, it left a membership whose only intact voter was node 1
        SimResult r = Simulation.run(1845);
        assertTrue(r.passed(), r.violations().toString());
    }
}
