package paxos.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import paxos.api.spi.transport.MessageHandler;
import paxos.api.spi.transport.Transport;

/**
 * The contract every {@link Transport} must keep, as one JUnit 5 suite: exactly what the SPI's
 * Javadoc promises, no more. Extend it and implement {@link #cluster(List)}; the suite runs
 * against the implementation. Transports it creates are closed after each test.
 *
 * <p>What it checks: delivery with sender and group; per-peer send order while a connection
 * lasts; {@code send} returns false for an unknown node, this node itself and after
 * {@code close} (which is idempotent); a message above {@code maxMessageBytes()} is refused with
 * {@link IllegalArgumentException} and one of exactly that size is not; {@code send} never
 * blocks, neither towards a peer that is down nor towards one whose handler stalls; a peer
 * without the cluster's credentials is never delivered; after a peer restarts, messages reach
 * it again. Loss is allowed by the SPI, so the suite retries where it waits for delivery.
 */
public abstract class TransportContract {
    private static final byte[] PROBE = "probe".getBytes(StandardCharsets.UTF_8);
    private final List<Transport> created = new ArrayList<>();
    private Cluster cluster;

    /** Transports of one cluster under test. */
    protected interface Cluster extends AutoCloseable {
        /**
         * A new, not yet started transport for {@code nodeId}; a second call for the same node is
         * that node restarted (same address, same credentials).
         */
        Transport create(int nodeId);

        /**
         * A transport that claims to be {@code nodeId} of this cluster (not started, and never
         * also created with {@link #create}) but lacks the cluster's credentials: a wrong secret,
         * or whatever the implementation authenticates by.
         */
        Transport impostor(int nodeId);

        @Override
        void close();
    }

    /** A cluster whose members are {@code nodeIds}; called once per test. */
    protected abstract Cluster cluster(List<Integer> nodeIds);

    /** The bound of every wait for delivery; raise it for slow transports. */
    protected Duration deliveryBound() {
        return Duration.ofSeconds(20);
    }

    @AfterEach
    void closeAll() {
        for (Transport t : created) t.close();
        if (cluster != null) cluster.close();
    }

    private Cluster members(Integer... ids) {
        cluster = cluster(List.of(ids));
        return cluster;
    }

    private Transport start(Transport t, MessageHandler handler) {
        created.add(t);
        t.start(handler);
        return t;
    }

    private ConditionFactory await() {
        return Awaitility.await().atMost(deliveryBound()).pollInterval(Duration.ofMillis(20));
    }

    /** Sends probes until {@code to} received one from {@code from}: the link is up. */
    private void connect(Transport from, int to, Inbox inbox, int fromId) {
        await().until(() -> {
            from.send(to, 0, PROBE);
            return inbox.from(fromId).stream()
                    .anyMatch(m -> m.group == 0 && new String(m.bytes, StandardCharsets.UTF_8).equals("probe"));
        });
    }

    @Test
    void deliversEveryMessageWithItsSenderAndGroup() {
        members(1, 2, 3);
        Inbox[] inbox = {null, new Inbox(), new Inbox(), new Inbox()};
        Transport[] t = new Transport[4];
        for (int n = 1; n <= 3; n++) t[n] = start(cluster.create(n), inbox[n]);
        for (int from = 1; from <= 3; from++) {
            for (int to = 1; to <= 3; to++) {
                if (from == to) continue;
                byte[] message = ("from " + from + " to " + to).getBytes(StandardCharsets.UTF_8);
                int f = from;
                int dest = to;
                await().until(() -> {
                    t[f].send(dest, 7 + f, message.clone());
                    return inbox[dest].from(f).stream().anyMatch(m -> m.group == 7 + f
                            && new String(m.bytes, StandardCharsets.UTF_8).equals("from " + f + " to " + dest));
                });
            }
        }
        for (int n = 1; n <= 3; n++) {
            int self = n;
            assertTrue(inbox[n].all().stream().noneMatch(m -> m.from == self), "node " + n + " received from itself");
        }
    }

    @Test
    void keepsSendOrderToOnePeerWhileTheConnectionLasts() {
        members(1, 2);
        Inbox inbox = new Inbox();
        Transport one = start(cluster.create(1), (from, group, message) -> {});
        start(cluster.create(2), inbox);
        connect(one, 2, inbox, 1);
        int count = 2_000;
        for (int i = 0; i < count; i++) one.send(2, 1, ByteBuffer.allocate(4).putInt(i).array());
        await().until(() -> inbox.sequence(1).contains(count - 1));
        List<Integer> seen = inbox.sequence(1);
        for (int i = 1; i < seen.size(); i++)
            assertTrue(seen.get(i) >= seen.get(i - 1), "message " + seen.get(i) + " delivered after " + seen.get(i - 1));
    }

    @Test
    void sendReturnsFalseForAnUnknownNodeAndForItself() {
        members(1, 2);
        Transport one = start(cluster.create(1), new Inbox());
        start(cluster.create(2), new Inbox());
        assertFalse(one.send(99, 0, PROBE), "unknown node");
        assertFalse(one.send(1, 0, PROBE), "this node itself");
        assertFalse(one.send(0, 0, PROBE), "node 0");
        assertFalse(one.send(-1, 0, PROBE), "a negative node ID");
    }

    @Test
    void sendAfterCloseReturnsFalseAndCloseIsIdempotent() {
        members(1, 2);
        Transport one = start(cluster.create(1), new Inbox());
        start(cluster.create(2), new Inbox());
        one.close();
        assertFalse(one.send(2, 0, PROBE));
        assertDoesNotThrow(one::close);
        assertFalse(one.send(2, 0, PROBE));
    }

    @Test
    void aMessageAboveTheLimitIsRefusedOneOfExactlyTheLimitIsNot() {
        members(1, 2);
        Inbox inbox = new Inbox();
        Transport one = start(cluster.create(1), new Inbox());
        start(cluster.create(2), inbox);
        int max = one.maxMessageBytes();
        assertTrue(max > 0, "maxMessageBytes is positive: " + max);
        assertThrows(IllegalArgumentException.class, () -> one.send(2, 0, new byte[max + 1]));
        // a caller's bug, not a network event: also refused when the peer is unknown
        assertThrows(IllegalArgumentException.class, () -> one.send(99, 0, new byte[max + 1]));
        connect(one, 2, inbox, 1);
        byte[] largest = new byte[max];
        largest[max - 1] = 42;
        await().until(() -> {
            assertTrue(one.send(2, 3, largest));
            return inbox.from(1).stream().anyMatch(m -> m.group == 3 && m.bytes.length == max && m.bytes[max - 1] == 42);
        });
    }

    @Test
    void sendNeverBlocksTowardsAStalledOrAbsentPeer() throws Exception {
        members(1, 2, 3);
        CountDownLatch release = new CountDownLatch(1);
        Inbox inbox = new Inbox();
        Transport one = start(cluster.create(1), new Inbox());
        start(cluster.create(2), (from, group, message) -> {
            inbox.onMessage(from, group, message);
            if (message.length > PROBE.length) awaitQuietly(release); // stalls the transport's delivery
        });
        connect(one, 2, inbox, 1);
        // node 3 never starts; node 2's handler blocks at the first large message
        byte[] message = new byte[Math.min(one.maxMessageBytes(), 16 << 10)];
        int sends = 20_000; // 320 MiB towards node 2 at 16 KiB: beyond any sane buffer
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < sends; i++) {
                one.send(2, 1, message);
                one.send(3, 1, message);
            }
        });
        try {
            sender.get(deliveryBound().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aPeerWithoutTheCredentialsIsNeverDelivered() {
        members(1, 2, 3);
        Inbox inbox = new Inbox();
        start(cluster.create(1), inbox);
        Transport two = start(cluster.create(2), new Inbox());
        Transport impostor = start(cluster.impostor(3), new Inbox());
        // the impostor keeps trying for a while; a genuine peer meanwhile gets through
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    impostor.send(1, 0, PROBE);
                    return inbox.from(3).isEmpty();
                });
        connect(two, 1, inbox, 2);
        assertEquals(List.of(), inbox.from(3), "nothing delivered from the impostor");
    }

    @Test
    void reachesAPeerAgainAfterItRestarts() {
        members(1, 2);
        Inbox atOne = new Inbox();
        Transport one = start(cluster.create(1), atOne);
        Inbox before = new Inbox();
        Transport two = start(cluster.create(2), before);
        connect(one, 2, before, 1);
        two.close();
        Inbox after = new Inbox();
        Transport twoAgain = start(cluster.create(2), after);
        connect(one, 2, after, 1);
        connect(twoAgain, 1, atOne, 2);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Collects what one node received. Thread-safe. */
    protected static final class Inbox implements MessageHandler {
        /** One delivered message. */
        public record Received(int from, int group, byte[] bytes) {}

        private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

        @Override
        public void onMessage(int fromNode, int group, byte[] message) {
            received.add(new Received(fromNode, group, message));
        }

        /** Everything received so far, in delivery order. */
        public List<Received> all() {
            return new ArrayList<>(received);
        }

        /** What {@code node} sent, in delivery order. */
        public List<Received> from(int node) {
            return received.stream().filter(r -> r.from == node).toList();
        }

        /** The numbers in the 4-byte messages from {@code node}, in delivery order. */
        public List<Integer> sequence(int node) {
            return from(node).stream().filter(r -> r.bytes.length == 4).map(r -> ByteBuffer.wrap(r.bytes).getInt()).toList();
        }
    }
}
