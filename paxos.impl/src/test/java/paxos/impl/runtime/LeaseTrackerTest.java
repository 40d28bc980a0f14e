package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import paxos.api.MasterInfo;
import paxos.impl.exec.LeaseRules;

/** The leases this node holds, on a clock the test moves (no sleeping). */
class LeaseTrackerTest {
    private static final int SELF = 1;
    private static final long LEASE_MS = 3000;
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final LeaseTracker leases = new LeaseTracker(SELF, clock::get);

    private void advanceMillis(long ms) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void aWonLeaseRunsForTheLeaseMinusTheMarginCountedFromBeforeTheClaim() {
        long before = leases.now();
        advanceMillis(100); // the claim took 100 ms to execute
        leases.won(0, 5, before, LEASE_MS);
        MasterInfo me = new MasterInfo(SELF, 5, LEASE_MS);
        long margin = LeaseRules.driftMarginMillis(LEASE_MS);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(LEASE_MS - margin - 100), leases.masterRemainingNanos(0, me));
        advanceMillis(LEASE_MS - margin - 100);
        assertTrue(leases.masterRemainingNanos(0, me) <= 0, "lapsed");
    }

    @Test
    void noLeaseWithoutAWinOrOnceAnotherMasterOrVersionIsInForce() {
        assertEquals(0, leases.masterRemainingNanos(0, new MasterInfo(SELF, 5, LEASE_MS)), "never won");
        leases.won(0, 5, leases.now(), LEASE_MS);
        assertEquals(0, leases.masterRemainingNanos(0, new MasterInfo(2, 6, LEASE_MS)), "another master");
        assertEquals(0, leases.masterRemainingNanos(0, new MasterInfo(SELF, 7, LEASE_MS)), "a newer version of mine");
        assertEquals(0, leases.masterRemainingNanos(1, new MasterInfo(SELF, 5, LEASE_MS)), "another group");
        assertTrue(leases.masterRemainingNanos(0, new MasterInfo(SELF, 5, LEASE_MS)) > 0);
    }

    @Test
    void ofTwoWinsTheNewerVersionThenTheLaterStartIsKept() {
        long t0 = leases.now();
        leases.won(0, 6, t0, LEASE_MS);
        leases.won(0, 5, t0 + 1_000_000, LEASE_MS); // an older version completing late
        assertTrue(leases.masterRemainingNanos(0, new MasterInfo(SELF, 6, LEASE_MS)) > 0);
        assertEquals(0, leases.masterRemainingNanos(0, new MasterInfo(SELF, 5, LEASE_MS)));
        leases.won(0, 6, t0 + TimeUnit.MILLISECONDS.toNanos(500), LEASE_MS); // a renewal
        leases.won(0, 6, t0, LEASE_MS); // the first win, reported again late
        long margin = LeaseRules.driftMarginMillis(LEASE_MS);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(LEASE_MS - margin + 500),
                leases.masterRemainingNanos(0, new MasterInfo(SELF, 6, LEASE_MS)), "counted from the renewal");
    }

    @Test
    void aTakeoverWaitsForTheLeasePlusTheMarginSinceTheEntryExecutedHere() {
        MasterInfo other = new MasterInfo(2, 4, LEASE_MS);
        long executed = leases.now();
        long margin = LeaseRules.driftMarginMillis(LEASE_MS);
        assertTrue(leases.claimMustWait(0, other, 4, executed, leases.now()));
        assertEquals(LEASE_MS + margin, leases.remainingMillis(0, other, executed), "status: time until a takeover");
        advanceMillis(LEASE_MS + margin);
        assertFalse(leases.claimMustWait(0, other, 4, executed, leases.now()));
        assertEquals(0, leases.remainingMillis(0, other, executed));
    }

    @Test
    void aClaimExpectingAnotherVersionOrWithoutAMasterNeverWaits() {
        long executed = leases.now();
        assertFalse(leases.claimMustWait(0, new MasterInfo(2, 4, LEASE_MS), 3, executed, executed), "fails by itself");
        assertFalse(leases.claimMustWait(0, MasterInfo.NONE, -1, executed, executed));
        assertEquals(0, leases.remainingMillis(0, MasterInfo.NONE, executed));
    }

    @Test
    void theMasterRenewsWithoutWaitingButAfterARestartWaitsLikeAFollower() {
        MasterInfo me = new MasterInfo(SELF, 4, LEASE_MS);
        long executed = leases.now();
        assertTrue(leases.claimMustWait(0, me, 4, executed, leases.now()), "a restarted master holds no lease in memory");
        leases.won(0, 4, leases.now(), LEASE_MS);
        assertTrue(leases.holds(0));
        assertFalse(leases.claimMustWait(0, me, 4, executed, leases.now()), "a renewal");
        long margin = LeaseRules.driftMarginMillis(LEASE_MS);
        assertEquals(LEASE_MS - margin, leases.remainingMillis(0, me, executed), "status on the master: its own lease");
    }
}
