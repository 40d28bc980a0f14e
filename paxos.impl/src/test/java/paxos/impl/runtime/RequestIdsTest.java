package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.impl.log.InMemoryLogStore;

/** When a new data directory's node may number requests in a group, and above what (see {@link RequestIds}). */
class RequestIdsTest {
    private static Member member(int n, MemberRole role) {
        return new Member(n, "127.0.0.1", 7000 + n, role);
    }

    private static final Membership BOOTSTRAP = new Membership(0, List.of(member(1, MemberRole.VOTER),
            member(2, MemberRole.VOTER), member(3, MemberRole.VOTER), member(4, MemberRole.FOLLOWER)));

    @Test
    void theOpeningInstanceWaitsForAVoterAndCoversTheAdmissionAndThePeersReports() {
        assertEquals(Long.MIN_VALUE, RequestIds.openingInstance(BOOTSTRAP, 3, Map.of()), "no voter heard yet");
        assertEquals(Long.MIN_VALUE, RequestIds.openingInstance(BOOTSTRAP, 3, Map.of(4, 90L)), "a follower is not enough");
        assertEquals(90, RequestIds.openingInstance(BOOTSTRAP, 3, Map.of(4, 90L, 2, 41L)), "every report counts");
        assertEquals(-1, RequestIds.openingInstance(BOOTSTRAP, 3, Map.of(1, -1L)), "a new cluster opens at once");
        Membership alone = new Membership(0, List.of(member(1, MemberRole.VOTER)));
        assertEquals(-1, RequestIds.openingInstance(alone, 1, Map.of()), "the only voter waits for nobody");
        // replaced by itself at instance 100: in force from 164, so everything up to 163 must have executed
        Membership admitted = new Membership(100, BOOTSTRAP.members());
        assertEquals(163, RequestIds.openingInstance(admitted, 3, Map.of(1, 120L)));
        assertEquals(170, RequestIds.openingInstance(admitted, 3, Map.of(1, 170L)));
    }

    @Test
    void aNewStoreNumbersAboveTheHighestExecutedIdAndLaterStartsStayAbove() {
        InMemoryLogStore store = new InMemoryLogStore();
        RequestIds ids = RequestIds.start(store, 2);
        assertFalse(ids.isOpen(0));
        assertFalse(ids.isOpen(1));
        assertEquals(BootCounter.firstRequestId(1), ids.sequence().get(), "a new store's boot counter is 1");

        long formerHighest = BootCounter.firstRequestId(5) + 16; // the former incarnation reached boot 5
        ids.openAbove(0, formerHighest);
        assertTrue(ids.isOpen(0));
        assertFalse(ids.isOpen(1));
        assertEquals(BootCounter.firstRequestId(6), ids.sequence().get());
        ids.sequence().getAndIncrement(); // group 0 numbers one request
        ids.openAbove(1, BootCounter.firstRequestId(2)); // lower: IDs only grow
        assertTrue(ids.isOpen(1));
        assertEquals(BootCounter.firstRequestId(6) + 1, ids.sequence().get());

        RequestIds next = RequestIds.start(store, 2); // checked: every group open, numbering above boot 6
        assertTrue(next.isOpen(0) && next.isOpen(1));
        assertEquals(BootCounter.firstRequestId(7), next.sequence().get());
    }

    @Test
    void aStoreWhoseCheckWasNotFinishedChecksAgainAndKeepsTheRaisedCounter() {
        InMemoryLogStore store = new InMemoryLogStore();
        RequestIds ids = RequestIds.start(store, 2);
        ids.openAbove(0, BootCounter.firstRequestId(9));
        RequestIds next = RequestIds.start(store, 2); // stopped before group 1 opened
        assertFalse(next.isOpen(0), "checked again");
        assertEquals(BootCounter.firstRequestId(11), next.sequence().get(), "the raised counter (10) was stored");
    }
}
