package paxos.transport.netty.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The small pure parts: queue, backoff, handshake MACs, rate-limited log. */
class PureUnitsTest {
    private static final byte[] SECRET = "0123456789abcdef0123".getBytes(StandardCharsets.UTF_8);

    @Test
    void queueDropsOldestWhenTheMessageBoundIsReached() {
        OutboundQueue queue = new OutboundQueue(3, 1 << 20);
        int dropped = 0;
        for (int i = 0; i < 5; i++) dropped += queue.offer(0, new byte[] {(byte) i});
        assertEquals(2, dropped);
        assertEquals(3, queue.size());
        assertEquals(2, queue.poll().message()[0]);
        assertEquals(3, queue.poll().message()[0]);
        assertEquals(4, queue.poll().message()[0]);
        assertNull(queue.poll());
        assertEquals(0, queue.bytes());
    }

    @Test
    void queueDropsOldestWhenTheByteBoundIsReached() {
        long perMessage = 100 + Frame.OVERHEAD_BYTES;
        OutboundQueue queue = new OutboundQueue(1000, perMessage * 2);
        queue.offer(1, new byte[100]);
        queue.offer(2, new byte[100]);
        assertEquals(1, queue.offer(3, new byte[100]));
        assertEquals(2, queue.poll().group());
        assertEquals(perMessage, queue.bytes());
    }

    @Test
    void anUnreachablePeerKeepsOnlyTheSmallBacklogAndTheNewestMessages() {
        OutboundQueue queue = new OutboundQueue(10_000, 64L << 20);
        int n = OutboundQueue.UNREACHABLE_MESSAGES_MAX + 10;
        for (int i = 0; i < n; i++) queue.offer(0, java.nio.ByteBuffer.allocate(4).putInt(i).array(), false);
        assertEquals(OutboundQueue.UNREACHABLE_MESSAGES_MAX, queue.size());
        assertEquals(10, java.nio.ByteBuffer.wrap(queue.poll().message()).getInt(), "the oldest went first");
        byte[] big = new byte[1 << 20];
        for (int i = 0; i < 10; i++) queue.offer(0, big, false);
        assertTrue(queue.bytes() <= OutboundQueue.UNREACHABLE_BYTES_MAX, "bytes " + queue.bytes());
        // reachable again: the configured bounds hold
        for (int i = 0; i < 10; i++) queue.offer(0, big, true);
        assertTrue(queue.bytes() > OutboundQueue.UNREACHABLE_BYTES_MAX);
        // one message above the unreachable byte bound still fits alone
        queue.offer(0, new byte[8 << 20], false);
        assertEquals(1, queue.size());
    }

    @Test
    void backoffGrowsExponentiallyWithJitterUpToTheMax() {
        Backoff backoff = new Backoff(50, 1000);
        SplittableRandom random = new SplittableRandom(1);
        for (int attempt = 0; attempt < 40; attempt++) {
            long ceiling = Math.min(1000, 50L << Math.min(attempt, 30));
            for (int i = 0; i < 50; i++) {
                long delay = backoff.delayMillis(attempt, random);
                assertTrue(delay >= ceiling / 2 && delay <= ceiling, attempt + ": " + delay);
            }
        }
    }

    @Test
    void macsDependOnSecretNoncesRoleAndNodes() {
        Handshake a = new Handshake(SECRET, "c");
        Handshake otherSecret = new Handshake("another-secret-of-16+".getBytes(StandardCharsets.UTF_8), "c");
        Handshake otherCluster = new Handshake(SECRET, "d");
        byte[] cn = Handshake.newNonce();
        byte[] sn = Handshake.newNonce();
        Handshake.ClientHello hello = new Handshake.ClientHello("c", 1, 2, cn);
        byte[] client = a.clientMac(1, 2, cn, sn);
        assertArrayEquals(client, new Handshake(SECRET, "c").clientMac(1, 2, cn, sn));
        assertFalse(Handshake.macEquals(client, otherSecret.clientMac(1, 2, cn, sn)));
        assertFalse(Handshake.macEquals(client, otherCluster.clientMac(1, 2, cn, sn)));
        assertFalse(Handshake.macEquals(client, a.clientMac(1, 2, cn, Handshake.newNonce())));
        assertFalse(Handshake.macEquals(client, a.clientMac(3, 2, cn, sn)));
        assertFalse(Handshake.macEquals(client, a.serverMac(hello, 2, sn)), "roles must not be interchangeable");
    }

    @Test
    void handshakePayloadsRoundTripAndRejectTruncation() {
        Handshake.ClientHello hello = new Handshake.ClientHello("cluster-é", 7, 9, Handshake.newNonce());
        Handshake.ClientHello back = Handshake.ClientHello.decode(hello.encode());
        assertEquals(hello.clusterId(), back.clusterId());
        assertEquals(7, back.clientNodeId());
        assertEquals(9, back.serverNodeId());
        assertArrayEquals(hello.clientNonce(), back.clientNonce());
        byte[] encoded = hello.encode();
        for (int cut = 0; cut < encoded.length; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(encoded, cut);
            assertThrows(IllegalArgumentException.class, () -> Handshake.ClientHello.decode(truncated));
        }
        assertThrows(IllegalArgumentException.class, () -> Handshake.ServerHello.decode(new byte[10]));
    }

    @Test
    void rateLimitedLogPrintsOncePerIntervalAndCountsTheRest() {
        AtomicLong now = new AtomicLong();
        List<String> lines = new ArrayList<>();
        RateLimitedLog log = new RateLimitedLog(new ListLogger(lines), 1000, now::get);
        assertTrue(log.log(System.Logger.Level.WARNING, "k", "bad"));
        for (int i = 0; i < 5; i++) assertFalse(log.log(System.Logger.Level.WARNING, "k", "bad"));
        assertTrue(log.log(System.Logger.Level.WARNING, "other", "other key"));
        now.addAndGet(1_000_000_000L);
        assertTrue(log.log(System.Logger.Level.WARNING, "k", "bad"));
        assertEquals(List.of("bad", "other key", "bad (5 similar suppressed)"), lines);
    }

    private record ListLogger(List<String> lines) implements System.Logger {
        @Override public String getName() { return "test"; }
        @Override public boolean isLoggable(Level level) { return true; }
        @Override public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) { lines.add(msg); }
        @Override public void log(Level level, ResourceBundle bundle, String format, Object... params) { lines.add(format); }
    }
}
