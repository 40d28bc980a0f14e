package paxos.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.transport.netty.TestNodes.awaiting;
import static paxos.transport.netty.TestNodes.config;
import static paxos.transport.netty.TestNodes.text;

import io.netty.channel.epoll.Epoll;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.TransportException;
import paxos.transport.netty.TestNodes.Inbox;

/** Real transports on 127.0.0.1 exchanging messages. */
class ExchangeTest {
    private final TestNodes.Started started = new TestNodes.Started();

    @AfterEach
    void closeAll() {
        started.close();
    }

    private NettyTransport start(NettyTransportConfig config, Inbox inbox) {
        return started.start(config, inbox);
    }

    @Test
    void twoNodesExchangeBothWaysInSendOrder() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        Inbox inbox1 = new Inbox();
        Inbox inbox2 = new Inbox();
        NettyTransport n1 = start(config(1, ports), inbox1);
        NettyTransport n2 = start(config(2, ports), inbox2);
        int count = 2_000;
        for (int i = 0; i < count; i++) {
            assertTrue(n1.send(2, 5, text("a" + i)));
            assertTrue(n2.send(1, 6, text("b" + i)));
        }
        awaiting().until(() -> inbox2.size() == count && inbox1.size() == count);
        assertEquals(IntStream.range(0, count).mapToObj(i -> "a" + i).toList(), inbox2.textsFrom(1));
        assertEquals(IntStream.range(0, count).mapToObj(i -> "b" + i).toList(), inbox1.textsFrom(2));
        assertTrue(inbox2.all().stream().allMatch(r -> r.group() == 5));
        assertTrue(inbox1.all().stream().allMatch(r -> r.group() == 6));
        PeerStatus toTwo = n1.peers().get(0);
        assertEquals(2, toTwo.nodeId());
        assertTrue(toTwo.connected() && toTwo.authenticated());
        assertEquals(count, toTwo.messagesSent());
        assertEquals(0, toTwo.messagesDropped());
        assertEquals(java.util.Set.of(2), n1.inboundPeers());
    }

    @Test
    void threeNodesEachReachBothOthers() {
        Map<Integer, Integer> ports = TestNodes.ports(3);
        Inbox[] inboxes = {null, new Inbox(), new Inbox(), new Inbox()};
        NettyTransport[] nodes = new NettyTransport[4];
        for (int id = 1; id <= 3; id++) nodes[id] = start(config(id, ports), inboxes[id]);
        // every link up first: a node may dial a peer that is not listening yet, and messages queued
        // for a refused connection may be dropped (Paxos retransmits); this test is about delivery
        awaiting().until(() -> java.util.Arrays.stream(nodes, 1, 4)
                .allMatch(n -> n.peers().stream().allMatch(p -> p.connected() && p.authenticated())));
        for (int from = 1; from <= 3; from++) {
            for (int to = 1; to <= 3; to++) {
                if (from != to) {
                    for (int i = 0; i < 100; i++) nodes[from].send(to, from * 10 + to, text(from + ">" + to + ":" + i));
                }
            }
        }
        awaiting().until(() -> inboxes[1].size() == 200 && inboxes[2].size() == 200 && inboxes[3].size() == 200);
        for (int to = 1; to <= 3; to++) {
            for (int from = 1; from <= 3; from++) {
                if (from == to) continue;
                int f = from;
                int t = to;
                assertEquals(IntStream.range(0, 100).mapToObj(i -> f + ">" + t + ":" + i).toList(), inboxes[to].textsFrom(from));
            }
        }
    }

    @Test
    void nioWorksWhenNativeTransportIsOff() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        Inbox inbox1 = new Inbox();
        Inbox inbox2 = new Inbox();
        NettyTransport n1 = start(config(1, ports).withIo(1, false), inbox1);
        NettyTransport n2 = start(config(2, ports), inbox2);
        assertEquals("nio", n1.ioName());
        assertEquals(Epoll.isAvailable() ? "epoll" : "nio", n2.ioName());
        n1.send(2, 1, text("x"));
        n2.send(1, 1, text("y"));
        awaiting().until(() -> inbox1.size() == 1 && inbox2.size() == 1);
    }

    @Test
    void largestMessageGoesThroughAndLargerIsRefused() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        Inbox inbox2 = new Inbox();
        NettyTransport n1 = start(config(1, ports).withMaxFrameBytes(64 << 10), new Inbox());
        start(config(2, ports).withMaxFrameBytes(64 << 10), inbox2);
        assertEquals((64 << 10) - 14, n1.maxMessageBytes());
        byte[] largest = new byte[n1.maxMessageBytes()];
        java.util.Arrays.fill(largest, (byte) 'z');
        assertTrue(n1.send(2, 1, largest));
        assertThrows(IllegalArgumentException.class, () -> n1.send(2, 1, new byte[n1.maxMessageBytes() + 1]));
        awaiting().until(() -> inbox2.size() == 1);
        assertEquals(largest.length, inbox2.all().get(0).text().length());
    }

    @Test
    void sendToUnknownOrSelfOrAfterCloseReturnsFalse() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        NettyTransport n1 = start(config(1, ports), new Inbox());
        assertFalse(n1.send(1, 1, text("self")));
        assertFalse(n1.send(9, 1, text("stranger")));
        n1.close();
        n1.close(); // idempotent
        assertFalse(n1.send(2, 1, text("late")));
        assertThrows(IllegalStateException.class, () -> n1.start(new Inbox()));
    }

    @Test
    void startFailsClearlyWhenThePortIsTaken() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        start(config(1, ports), new Inbox());
        NettyTransport clash = new NettyTransport(config(1, ports));
        TransportException e = assertThrows(TransportException.class, () -> clash.start(new Inbox()));
        assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + ports.get(1)), e.getMessage());
        clash.close();
    }

    @Test
    void ephemeralPortIsReported() {
        NettyTransport n = start(NettyTransportConfig.of(1, "c", TestNodes.SECRET, 0, Map.of(2, "127.0.0.1:1")), new Inbox());
        assertTrue(n.localPort() > 0);
    }
}
