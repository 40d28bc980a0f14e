package paxos.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.transport.netty.TestNodes.awaiting;
import static paxos.transport.netty.TestNodes.config;
import static paxos.transport.netty.TestNodes.text;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.spi.transport.PeerStatus;
import paxos.transport.netty.TestNodes.Inbox;

/** A peer that goes away and comes back; the bounded queue while it is away. */
class ReconnectTest {
    private final TestNodes.Started started = new TestNodes.Started();

    @AfterEach
    void closeAll() {
        started.close();
    }

    private NettyTransport start(NettyTransportConfig config, Inbox inbox) {
        return started.start(config, inbox);
    }

    @Test
    void peerDownThenUpIsRedialedAndReceivesAgain() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        Inbox inbox1 = new Inbox();
        NettyTransport node1 = start(config(1, ports), inbox1);
        NettyTransport node2 = start(config(2, ports), new Inbox());
        node1.send(2, 1, text("before"));
        awaiting().until(() -> node1.peers().get(0).authenticated());

        node2.close();
        awaiting().until(() -> !node1.peers().get(0).connected());
        assertTrue(node1.peers().get(0).lastError() != null);

        Inbox inbox2 = new Inbox();
        NettyTransport node2Again = start(config(2, ports), inbox2);
        node1.send(2, 1, text("after"));
        node2Again.send(1, 1, text("back"));
        awaiting().until(() -> inbox2.textsFrom(1).contains("after") && inbox1.textsFrom(2).contains("back"));
        assertTrue(node1.peers().get(0).authenticated());
    }

    @Test
    void fullQueueDropsTheOldestAndDeliversTheNewestAfterConnecting() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        // node 2 is not running yet: node 1 queues, bounded at 10 messages
        NettyTransport node1 = start(config(1, ports).withMaxFrameBytes(4096).withOutboundQueue(10, 1 << 20), new Inbox());
        for (int i = 0; i < 25; i++) assertTrue(node1.send(2, 1, text("m" + i)));
        PeerStatus queued = node1.peers().get(0);
        assertEquals(15, queued.messagesDropped());
        assertEquals(0, queued.messagesSent());

        Inbox inbox2 = new Inbox();
        start(config(2, ports), inbox2);
        awaiting().until(() -> inbox2.size() == 10);
        assertEquals(IntStream.range(15, 25).mapToObj(i -> "m" + i).toList(), inbox2.textsFrom(1));
        assertEquals(10, node1.peers().get(0).messagesSent());
    }

    @Test
    void byteBoundDropsTheOldestToo() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        int frameBytes = 2048;
        NettyTransport node1 = start(config(1, ports).withMaxFrameBytes(frameBytes).withOutboundQueue(1000, 3L * frameBytes),
                new Inbox());
        byte[] big = new byte[node1.maxMessageBytes()];
        for (int i = 0; i < 5; i++) node1.send(2, i, big); // each fills a third of the byte bound
        assertEquals(2, node1.peers().get(0).messagesDropped());
        // what pacing senders see (catch-up): the three frames held, within the bound; nothing once delivered
        assertEquals(3L * frameBytes, node1.queuedBytes(2));
        assertEquals(0, node1.queuedBytes(7));
        Inbox inbox2 = new Inbox();
        start(config(2, ports), inbox2);
        awaiting().until(() -> inbox2.size() == 3);
        awaiting().until(() -> node1.queuedBytes(2) == 0);
        assertEquals(List.of(2, 3, 4), inbox2.all().stream().map(Inbox.Received::group).toList());
    }
}
