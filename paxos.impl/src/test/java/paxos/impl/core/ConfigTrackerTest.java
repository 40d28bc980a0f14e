package paxos.impl.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;

/** The decision rule of {@link ConfigTracker}: compare-and-set, one change at a time, in force after the delay. */
class ConfigTrackerTest {
    private static final int D = ConfigTracker.ACTIVATION_DELAY;

    private static Member voter(int id) {
        return new Member(id, "127.0.0.1", 7000 + id, MemberRole.VOTER);
    }

    private static List<Member> voters(int... ids) {
        return java.util.Arrays.stream(ids).mapToObj(ConfigTrackerTest::voter).toList();
    }

    private static ConfigTracker threeNodes() {
        return ConfigTracker.bootstrap(new Membership(0, voters(1, 2, 3)), 0);
    }

    @Test
    void aChangeIsInForceFromItsInstancePlusTheDelayWithItsInstanceAsVersion() {
        ConfigTracker t = threeNodes();
        assertTrue(t.decide(10, new MembershipCommand(0, voters(1, 2, 3, 4))));
        assertEquals(3, t.at(10 + D - 1).members().size());
        Membership next = t.at(10 + D);
        assertEquals(4, next.members().size());
        assertEquals(10, next.configVersion());
        assertEquals(10 + D, t.latestStart());
    }

    @Test
    void aSecondChangeWhileOneIsPendingIsANoOp() {
        ConfigTracker t = threeNodes();
        assertTrue(t.decide(10, new MembershipCommand(0, voters(1, 2, 3, 4))));
        assertFalse(t.decide(11, new MembershipCommand(10, voters(1, 2, 3, 4, 5))));
        assertTrue(t.decide(10 + D, new MembershipCommand(10, voters(1, 2, 3, 4, 5))));
    }

    @Test
    void aChangeComputedFromAnOlderVersionIsANoOp() {
        ConfigTracker t = threeNodes();
        assertTrue(t.decide(10, new MembershipCommand(0, voters(1, 2, 3, 4))));
        assertFalse(t.decide(10 + D, new MembershipCommand(0, voters(1, 2))), "stale: computed from the bootstrap");
        assertEquals(4, t.latest().members().size());
    }

    /** Regression: a change at instance 0 made a second version 0, so a stale change from the bootstrap applied after it. */
    @Test
    void instanceZeroNeverChangesTheMembership() {
        ConfigTracker t = threeNodes();
        assertFalse(t.decide(0, new MembershipCommand(0, voters(1, 2, 3, 4))));
        assertEquals(0, t.changes());
        assertTrue(t.decide(1, new MembershipCommand(0, voters(1, 2, 3, 4))));
        assertFalse(t.decide(1 + D, new MembershipCommand(0, voters(1, 2))));
    }

    @Test
    void theHistoryRoundTripsThroughItsEncoding() {
        ConfigTracker t = threeNodes();
        t.decide(10, new MembershipCommand(0, voters(1, 2, 3, 4)));
        ConfigTracker back = ConfigTracker.decode(t.encode());
        assertEquals(t.history(), back.history());
        assertEquals(t.scannedUpTo(), back.scannedUpTo());
        assertThrows(IllegalArgumentException.class, () -> ConfigTracker.decode(new byte[] {1, 0, 0}));
    }
}
