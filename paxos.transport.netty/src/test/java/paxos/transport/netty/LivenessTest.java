package paxos.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static paxos.transport.netty.TestNodes.awaiting;
import static paxos.transport.netty.TestNodes.config;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.Transport;
import paxos.transport.netty.TestNodes.Inbox;

/**
 * Last-heard times come from every inbound frame, keepalives included, so an idle peer stays
 * fresh and a stopped one ages; the last error is timestamped and cleared on reconnect.
 */
class LivenessTest {
    private final TestNodes.Started started = new TestNodes.Started();

    @AfterEach
    void closeAll() {
        started.close();
    }

    @Test
    void idlePeerIsHeardFromKeepalivesAndAStoppedOneAges() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        NettyTransport node1 = started.start(config(1, ports), new Inbox());
        NettyTransport node2 = started.start(config(2, ports), new Inbox());
        assertEquals(-1, node1.peers().get(0).lastHeardMillisAgo(), "nothing heard before node 2 dialed");
        awaiting().until(() -> heard(node1) >= 0);
        // no messages are sent at all: only keepalives keep node 2 fresh, over several intervals
        for (int i = 0; i < 5; i++) {
            long window = 3 * Transport.KEEPALIVE_MILLIS_MAX;
            awaiting().until(() -> heard(node1) > Transport.KEEPALIVE_MILLIS_MAX / 4);
            awaiting().until(() -> heard(node1) < Transport.KEEPALIVE_MILLIS_MAX / 4);
            assertTrue(heard(node1) < window, "heard " + heard(node1) + " ms ago");
        }
        assertEquals(0, node2.peers().get(0).messagesSent(), "keepalives are not counted as messages");

        node2.close();
        awaiting().until(() -> heard(node1) > 5 * Transport.KEEPALIVE_MILLIS_MAX);
        PeerStatus down = node1.peers().get(0);
        assertNotNull(down.lastError());
        assertTrue(Math.abs(System.currentTimeMillis() - down.lastErrorAtMillis()) < 60_000, "" + down);

        NettyTransport again = started.start(config(2, ports), new Inbox());
        awaiting().until(() -> node1.peers().get(0).authenticated() && heard(node1) >= 0
                && heard(node1) < Transport.KEEPALIVE_MILLIS_MAX);
        PeerStatus back = node1.peers().get(0);
        assertNull(back.lastError(), "cleared when the connection authenticated again");
        assertEquals(0, back.lastErrorAtMillis());
        // each side marks the link authenticated when it has checked the other's proof: node 1 may do so
        // before node 2 has read node 1's answer, so node 2's side is awaited, not asserted (CI failed so once)
        awaiting().until(() -> again.peers().get(0).authenticated());
    }

    private static long heard(NettyTransport transport) {
        return transport.peers().get(0).lastHeardMillisAgo();
    }
}
