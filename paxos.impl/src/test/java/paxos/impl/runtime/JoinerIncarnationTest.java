package paxos.impl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.Membership;
import paxos.api.MembershipChange;
import paxos.api.spi.transport.MessageHandler;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.Transport;

/** An added node's incarnation comes from the handshake it made with this node, waited for when it is on its way. */
class JoinerIncarnationTest {
    private static final String INC_2 = "22222222222222222222222222222222";
    private static final String INC_4 = "44444444444444444444444444444444";
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    private final Map<Integer, String> proved = new ConcurrentHashMap<>();
    private final Transport transport = new Transport() {
        @Override public void start(MessageHandler handler) { }
        @Override public boolean send(int toNode, int group, byte[] message) { return false; }
        @Override public int maxMessageBytes() { return 1024; }
        @Override public List<PeerStatus> peers() { return List.of(); }
        @Override public void close() { }
        @Override public String presentedIncarnation(int nodeId) { return proved.get(nodeId); }
    };
    private final JoinerIncarnation joiners = new JoinerIncarnation(transport, clock, 1);
    private final Membership three = new Membership(0, List.of(member(1, null), member(2, null), member(3, null)));

    private static Member member(int id, String incarnation) {
        return new Member(id, "127.0.0.1", 7000 + id, MemberRole.VOTER, incarnation);
    }

    @AfterEach
    void stop() {
        clock.shutdownNow();
    }

    @Test
    void aReplaceWaitsForTheNewNodesHandshakeThenNamesItsIncarnation() throws Exception {
        proved.put(2, INC_2); // this transport learns incarnations
        MembershipChange replace = new MembershipChange.Replace(3, member(4, null));
        assertTrue(joiners.shouldWait(replace, three));
        var named = joiners.await(replace);
        clock.schedule(() -> proved.put(4, INC_4), 100, TimeUnit.MILLISECONDS); // node 4's handshake arrives
        MembershipChange got = named.get(5, TimeUnit.SECONDS);
        assertEquals(new MembershipChange.Replace(3, member(4, INC_4)), got);
        assertFalse(joiners.shouldWait(replace, three), "known now: no wait");
        assertEquals(new MembershipChange.Add(member(4, INC_4)), joiners.named(new MembershipChange.Add(member(4, null))));
    }

    @Test
    void noWaitWhereTheTransportLearnsNoIncarnationsOrTheChangeNamesOne() {
        MembershipChange add = new MembershipChange.Add(member(4, null));
        assertFalse(joiners.shouldWait(add, three), "a transport that knows no member's incarnation never will");
        assertSame(add, joiners.named(add), "unknown: left out, the first seen is pinned");
        proved.put(2, INC_2);
        MembershipChange explicit = new MembershipChange.Add(member(4, INC_4));
        assertFalse(joiners.shouldWait(explicit, three));
        assertSame(explicit, joiners.named(explicit));
        assertFalse(joiners.shouldWait(new MembershipChange.Remove(3), three));
    }

    @Test
    void aNodeReplacedByItselfGetsTheNewIncarnationItProvedAndNeverItsOldOne() {
        String old3 = "33333333333333333333333333333333", new3 = "3333333333333333333333333333333f";
        MembershipChange again = new MembershipChange.Replace(3, member(3, null));
        Map<Integer, String> pins = Map.of(3, old3); // this node counts node 3's first incarnation
        IllegalArgumentException unknown = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> joiners.checkSameId(joiners.named(again), three, pins::get));
        assertTrue(unknown.getMessage().contains("has not connected to node 1 under a new incarnation")
                && unknown.getMessage().contains("--join"), unknown.getMessage());
        proved.put(3, old3); // the old disk dialed last
        IllegalArgumentException old = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> joiners.checkSameId(joiners.named(again), three, pins::get));
        assertTrue(old.getMessage().contains("it is a member as " + old3), old.getMessage());
        proved.put(3, new3); // the fresh disk's node 3 dialed
        assertEquals(new MembershipChange.Replace(3, member(3, new3)), joiners.checkSameId(joiners.named(again), three, pins::get));
        Membership listed = new Membership(0, List.of(member(1, null), member(2, null), member(3, new3)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> joiners.checkSameId(joiners.named(again), listed, n -> null), "already the member's incarnation");
        MembershipChange other = new MembershipChange.Replace(3, member(4, null));
        assertSame(other, joiners.checkSameId(other, three, pins::get), "another node ID: nothing to check");
    }
}
