package paxos.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static paxos.transport.netty.TestNodes.awaiting;
import static paxos.transport.netty.TestNodes.config;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.spi.transport.TrafficObserver;
import paxos.transport.netty.TestNodes.Inbox;
import paxos.transport.netty.internal.Frame;

/** Data messages are reported per peer with their wire size on both sides; keepalives are not. */
class TrafficObserverTest {
    private final TestNodes.Started started = new TestNodes.Started();

    @AfterEach
    void closeAll() {
        started.close();
    }

    static final class Counts implements TrafficObserver {
        final AtomicLong sentMessages = new AtomicLong();
        final AtomicLong sentBytes = new AtomicLong();
        final AtomicLong receivedMessages = new AtomicLong();
        final AtomicLong receivedBytes = new AtomicLong();
        final java.util.List<Long> roundTrips = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void roundTrip(int peer, long nanos) {
            roundTrips.add(nanos);
        }

        @Override
        public void sent(int peer, int bytes) {
            sentMessages.incrementAndGet();
            sentBytes.addAndGet(bytes);
        }

        @Override
        public void received(int peer, int bytes) {
            receivedMessages.incrementAndGet();
            receivedBytes.addAndGet(bytes);
        }
    }

    @Test
    void bothEndsCountTheSameMessagesAndBytes() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        Inbox inbox2 = new Inbox();
        NettyTransport node1 = started.start(config(1, ports), new Inbox());
        NettyTransport node2 = started.start(config(2, ports), inbox2);
        Counts out = new Counts();
        Counts in = new Counts();
        node1.observeTraffic(out);
        node2.observeTraffic(in);
        awaiting().until(() -> node1.peers().get(0).authenticated());
        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 10; i++) node1.send(2, 0, message);
        awaiting().until(() -> inbox2.size() == 10);
        awaiting().until(() -> in.receivedMessages.get() == 10);
        assertEquals(10, out.sentMessages.get());
        assertEquals(10L * (message.length + Frame.OVERHEAD_BYTES), out.sentBytes.get());
        assertEquals(out.sentBytes.get(), in.receivedBytes.get());
        assertEquals(0, out.receivedMessages.get() + in.sentMessages.get(), "keepalives are not reported");
    }

    @Test
    void keepalivesTimeRoundTripsBothWays() {
        Map<Integer, Integer> ports = TestNodes.ports(2);
        NettyTransport node1 = started.start(config(1, ports), new Inbox());
        NettyTransport node2 = started.start(config(2, ports), new Inbox());
        Counts one = new Counts();
        Counts two = new Counts();
        node1.observeTraffic(one);
        node2.observeTraffic(two);
        // idle links send keepalives every 100 ms; each echoes the other's clock
        awaiting().until(() -> one.roundTrips.size() >= 3 && two.roundTrips.size() >= 3);
        for (long rtt : one.roundTrips) org.junit.jupiter.api.Assertions.assertTrue(rtt > 0 && rtt < 10_000_000_000L, "rtt " + rtt);
    }
}
