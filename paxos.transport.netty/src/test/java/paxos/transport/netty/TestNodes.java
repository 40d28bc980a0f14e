package paxos.transport.netty;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import paxos.api.spi.transport.MessageHandler;

/** Shared helpers for the socket tests: ports on 127.0.0.1, configs, an inbox. */
final class TestNodes {
    static final String CLUSTER = "test-cluster";
    static final byte[] SECRET = "a-cluster-secret-of-enough-bytes".getBytes(StandardCharsets.UTF_8);

    private TestNodes() {}

    /** A port free on 127.0.0.1 right now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Node IDs 1..n mapped to free ports. */
    static Map<Integer, Integer> ports(int n) {
        Map<Integer, Integer> ports = new TreeMap<>();
        for (int id = 1; id <= n; id++) ports.put(id, freePort());
        return ports;
    }

    /** The config of {@code self} in a cluster at {@code ports}, with fast reconnects for tests. */
    static NettyTransportConfig config(int self, Map<Integer, Integer> ports) {
        Map<Integer, String> peers = new TreeMap<>();
        ports.forEach((id, port) -> {
            if (id != self) peers.put(id, "127.0.0.1:" + port);
        });
        return NettyTransportConfig.of(self, CLUSTER, SECRET, ports.get(self), peers).withReconnectBackoff(20, 200);
    }

    static ConditionFactory awaiting() {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10));
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Collects every message delivered to one node. */
    static final class Inbox implements MessageHandler {
        /** @param incarnation what the transport said the sender proved (hex), or null */
        record Received(int from, int group, String text, String incarnation) {}

        final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

        @Override
        public void onMessage(int fromNode, int group, byte[] message) {
            onMessage(fromNode, null, group, message);
        }

        @Override
        public void onMessage(int fromNode, String incarnation, int group, byte[] message) {
            received.add(new Received(fromNode, group, new String(message, StandardCharsets.UTF_8), incarnation));
        }

        List<String> textsFrom(int node) {
            return received.stream().filter(r -> r.from() == node).map(Received::text).collect(Collectors.toList());
        }

        int size() {
            return received.size();
        }

        List<Received> all() {
            return new ArrayList<>(received);
        }
    }

    /** The transports a test started; closes them all (call it from {@code @AfterEach}). */
    static final class Started implements AutoCloseable {
        private final java.util.List<NettyTransport> transports = new java.util.ArrayList<>();

        /** Builds and starts a transport delivering to {@code inbox}. */
        NettyTransport start(NettyTransportConfig config, Inbox inbox) {
            NettyTransport transport = new NettyTransport(config);
            transports.add(transport);
            transport.start(inbox);
            return transport;
        }

        /** Closes {@code transport} with the others, for one a test starts itself. */
        void track(NettyTransport transport) {
            transports.add(transport);
        }

        @Override
        public void close() {
            transports.forEach(NettyTransport::close);
        }
    }
}
