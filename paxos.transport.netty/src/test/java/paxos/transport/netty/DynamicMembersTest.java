package paxos.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.transport.netty.TestNodes.awaiting;
import static paxos.transport.netty.TestNodes.text;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.Member;
import paxos.api.MemberRole;
import paxos.api.spi.transport.PeerStatus;
import paxos.transport.netty.TestNodes.Inbox;

/**
 * Peers follow the membership ({@code Transport.updateMembers}) with real sockets on 127.0.0.1: a
 * node waiting to join is refused until a membership names it, its incarnation is learned from the
 * refused handshake, it is admitted under that incarnation once named (and dialed back at once,
 * without waiting out its backoff), and a member removed is disconnected both ways.
 */
class DynamicMembersTest {
    @TempDir Path dir;
    private final TestNodes.Started started = new TestNodes.Started();

    @AfterEach
    void close() {
        started.close();
    }

    private NettyTransport start(NettyTransportConfig config, String incarnation, Inbox inbox) throws Exception {
        NettyTransport t = new NettyTransport(config, Incarnations.open(incarnation,
                dir.resolve("node-" + config.nodeId() + "-" + Incarnations.FILE), Set.of()));
        started.track(t);
        t.start(inbox);
        return t;
    }

    private static Member member(int id, Map<Integer, Integer> ports, String incarnation) {
        return new Member(id, "127.0.0.1", ports.get(id), MemberRole.VOTER, incarnation);
    }

    /** {@code self}'s config naming the nodes {@code peers} of {@code ports}. */
    private static NettyTransportConfig config(int self, Map<Integer, Integer> ports, int... peers) {
        Map<Integer, String> named = new TreeMap<>();
        for (int p : peers) named.put(p, "127.0.0.1:" + ports.get(p));
        return NettyTransportConfig.of(self, TestNodes.CLUSTER, TestNodes.SECRET, ports.get(self), named);
    }

    @Test
    void aJoiningNodeIsRefusedUntilAddedThenAdmittedUnderItsIncarnationAndARemovedOneIsCut() throws Exception {
        Map<Integer, Integer> ports = TestNodes.ports(3);
        String inc1 = Incarnations.newIncarnation();
        String inc2 = Incarnations.newIncarnation();
        String inc3 = Incarnations.newIncarnation();
        Inbox inbox1 = new Inbox();
        Inbox inbox2 = new Inbox();
        Inbox inbox3 = new Inbox();
        NettyTransport node1 = start(config(1, ports, 2).withReconnectBackoff(20, 200), inc1, inbox1);
        NettyTransport node2 = start(config(2, ports, 1).withReconnectBackoff(20, 200), inc2, inbox2);
        // node 3 joins: it knows where 1 and 2 are; a long backoff shows that being added redials it at once
        NettyTransport node3 = start(config(3, ports, 1, 2).withReconnectBackoff(4_000, 8_000), inc3, inbox3);

        node3.send(1, 0, text("let me in"));
        awaiting().until(() -> inc3.equals(node1.presentedIncarnation(3)) && node3.peers().get(0).lastError() != null);
        assertTrue(node3.peers().get(0).lastError().contains("not a member there (yet)"), node3.peers().get(0).lastError());
        assertEquals(0, inbox1.size(), "nothing of a non-member is delivered");
        assertFalse(node1.send(3, 0, text("not a peer yet")));
        assertNull(node1.presentedIncarnation(4));

        // the membership in force names node 3 under the incarnation it proved
        List<Member> three = List.of(member(1, ports, inc1), member(2, ports, inc2), member(3, ports, inc3));
        long addedAt = System.nanoTime();
        node1.updateMembers(three);
        node2.updateMembers(three);
        assertEquals(List.of(2, 3), node1.peers().stream().map(PeerStatus::nodeId).toList());
        assertTrue(node1.send(3, 0, text("welcome")));
        awaiting().until(() -> inbox3.textsFrom(1).contains("welcome"));
        // node 3's queued message reaches node 1 well before its 2-4 s backoff ran out: redialed when node 1 dialed it
        awaiting().atMost(Duration.ofMillis(1_800)).until(() -> inbox1.textsFrom(3).contains("let me in"));
        long admittedMillis = (System.nanoTime() - addedAt) / 1_000_000;
        assertTrue(admittedMillis < 1_800, "admitted after " + admittedMillis + " ms");
        assertEquals(inc3, inbox1.all().stream().filter(r -> r.from() == 3).findFirst().orElseThrow().incarnation(),
                "the sender's incarnation is delivered with each message");
        node2.send(1, 0, text("from 2"));
        awaiting().until(() -> inbox1.textsFrom(2).contains("from 2"));
        assertEquals(inc2, inbox1.all().stream().filter(r -> r.from() == 2).findFirst().orElseThrow().incarnation());

        // node 2 is removed at node 1: disconnected both ways, its queue gone, its messages refused
        node1.updateMembers(List.of(member(1, ports, inc1), member(3, ports, inc3)));
        assertEquals(List.of(3), node1.peers().stream().map(PeerStatus::nodeId).toList());
        assertFalse(node1.send(2, 0, text("gone")));
        awaiting().until(() -> !node1.inboundPeers().contains(2));
        int before = inbox1.textsFrom(2).size();
        node2.send(1, 0, text("still here?"));
        awaiting().during(Duration.ofMillis(500)).until(() -> inbox1.textsFrom(2).size() == before);
        node3.send(1, 0, text("still a member"));
        awaiting().until(() -> inbox1.textsFrom(3).contains("still a member"));
    }

    @Test
    void aMemberUnderAnotherIncarnationThanTheMembershipNamesIsRefused() throws Exception {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        String inc1 = Incarnations.newIncarnation();
        String inc2 = Incarnations.newIncarnation();
        Inbox inbox1 = new Inbox();
        NettyTransport node1 = start(config(1, ports, 2).withReconnectBackoff(20, 200), inc1, inbox1);
        // the membership names another incarnation of node 2 than the one that connects (its disk was wiped)
        node1.updateMembers(List.of(member(1, ports, inc1), member(2, ports, Incarnations.newIncarnation())));
        NettyTransport node2 = start(config(2, ports, 1).withReconnectBackoff(20, 200), inc2, new Inbox());
        node2.send(1, 0, text("vote for me"));
        awaiting().until(() -> inc2.equals(node1.presentedIncarnation(2)) && node2.peers().get(0).lastError() != null);
        awaiting().during(Duration.ofMillis(300)).until(() -> inbox1.size() == 0 && node1.inboundPeers().isEmpty());

        // an open connection is cut when a new membership no longer names its incarnation
        node1.updateMembers(List.of(member(1, ports, inc1), member(2, ports, inc2)));
        awaiting().until(() -> inbox1.textsFrom(2).contains("vote for me"));
        node1.updateMembers(List.of(member(1, ports, inc1), member(2, ports, Incarnations.newIncarnation())));
        awaiting().until(() -> node1.inboundPeers().isEmpty());
    }
}
