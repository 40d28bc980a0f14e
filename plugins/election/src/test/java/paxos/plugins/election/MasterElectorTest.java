package paxos.plugins.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import paxos.api.GroupStatus;
import paxos.api.MasterInfo;
import paxos.api.Membership;
import paxos.api.PaxosNode;
import paxos.api.PeerInfo;
import paxos.api.Proposal;
import paxos.api.Proposed;
import paxos.api.ReadConsistency;

/** The elector's policy against a fake node that decides claims like the engine (one group). */
class MasterElectorTest {
    private long nowNanos = 1_000_000_000L;

    /** A one-group node whose claims execute at once: renewal keeps the version, takeover makes a new one. */
    private final class FakeNode implements PaxosNode {
        MasterInfo master = MasterInfo.NONE;
        long instance;
        final List<Long> claims = new ArrayList<>();

        @Override public int nodeId() { return 1; }
        @Override public int groupCount() { return 1; }
        @Override public int maxValueBytes() { return 1024; }
        @Override public CompletionStage<Proposed> propose(Proposal p) { throw new UnsupportedOperationException(); }
        @Override public List<CompletionStage<Proposed>> proposeAll(List<Proposal> p) { throw new UnsupportedOperationException(); }
        @Override public CompletionStage<Long> readBarrier(int g, ReadConsistency c) { throw new UnsupportedOperationException(); }
        @Override public GroupStatus status(int g) { throw new UnsupportedOperationException(); }
        @Override public MasterInfo master(int g) { return master; }
        @Override public List<PeerInfo> peers() { return List.of(); }
        @Override public Membership membership(int g) { throw new UnsupportedOperationException(); }

        @Override
        public CompletionStage<MasterInfo> claimMaster(int g, long expectedVersion, long leaseMillis) {
            claims.add(nowNanos);
            long at = instance++;
            if (master.exists() && master.nodeId() != 1) return CompletableFuture.completedFuture(master); // lease may run
            if (expectedVersion == master.version())
                master = master.nodeId() == 1 ? new MasterInfo(1, master.version(), leaseMillis) : new MasterInfo(1, at, leaseMillis);
            return CompletableFuture.completedFuture(master);
        }
    }

    private final FakeNode node = new FakeNode();
    private final ElectionSettings settings = new ElectionSettings(1_000, 50, 100, 3_000);
    private final MasterElector elector = new MasterElector(node, settings, () -> nowNanos);

    private void advanceMillis(long ms) {
        nowNanos += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void claimsWhenThereIsNoMasterAndRenewsWithoutChangingTheVersion() {
        elector.check();
        assertTrue(elector.isMaster(0));
        long version = elector.version(0);
        advanceMillis(600); // less than half the lease left
        elector.check();
        assertEquals(2, node.claims.size(), "renewed");
        assertEquals(version, elector.version(0));
        advanceMillis(900);
        assertTrue(elector.isMaster(0), "the renewal's lease counts from before it was proposed");
        advanceMillis(100);
        assertFalse(elector.isMaster(0), "lease minus margin is over");
    }

    @Test
    void doesNotRenewEarly() {
        elector.check();
        advanceMillis(100);
        elector.check();
        assertEquals(1, node.claims.size());
    }

    @Test
    void droppedMastershipIsNotReclaimedDuringTheHoldOff() {
        elector.check();
        elector.dropMaster(0);
        assertFalse(elector.isMaster(0));
        advanceMillis(2_000);
        elector.check();
        assertEquals(1, node.claims.size());
        advanceMillis(1_100);
        elector.check();
        assertEquals(2, node.claims.size());
    }

    @Test
    void aNewElectorNeverBelievesItIsMasterUntilItWins() {
        node.master = new MasterInfo(1, 0, 1_000); // this node was master before a restart
        assertFalse(elector.isMaster(0));
    }

    @Test
    void listenersHearChangesOnce() {
        List<String> heard = new ArrayList<>();
        elector.addListener((g, m, self) -> heard.add(g + ":" + m.nodeId() + ":" + self));
        elector.check();
        elector.check();
        assertEquals(List.of("0:1:true"), heard);
        advanceMillis(1_000);
        node.master = new MasterInfo(2, 7, 1_000); // someone else took over
        elector.check();
        assertEquals("0:2:false", heard.get(heard.size() - 1));
    }

    @Test
    void settingsRejectNonsense() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ElectionSettings(1_000, 600, 100, 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ElectionSettings(50, 1, 10, 0));
    }
}
