package paxos.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import paxos.api.spi.transport.MessageHandler;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.Transport;

/**
 * An in-process network for tests: {@link Transport}s that deliver to each other's handlers on
 * one delivery thread (per-sender order kept), with switchable links so that tests can cut a node
 * off. Keeps the {@link Transport} contract ({@code TransportContract}): no send to itself or to
 * a node outside the list, a size limit. Not for production: no queue bound beyond the JVM's
 * memory.
 */
public final class LocalNetwork implements AutoCloseable {
    /** The size limit of a message, as a real transport has one (Netty's default frame cap). */
    public static final int MAX_MESSAGE_BYTES = 16 << 20;
    private final Map<Integer, MessageHandler> handlers = new ConcurrentHashMap<>();
    private final Set<Integer> isolated = ConcurrentHashMap.newKeySet();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "local-network");
        t.setDaemon(true);
        return t;
    });
    private final List<Integer> nodes;

    /** @param nodes the node IDs that will take part */
    public LocalNetwork(List<Integer> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** The transport of {@code nodeId}. */
    public Transport transport(int nodeId) {
        return new Transport() {
            private volatile boolean closed;

            @Override
            public void start(MessageHandler handler) {
                handlers.put(nodeId, handler);
            }

            @Override
            public boolean send(int toNode, int group, byte[] message) {
                if (message.length > MAX_MESSAGE_BYTES)
                    throw new IllegalArgumentException("message of " + message.length + " bytes exceeds " + MAX_MESSAGE_BYTES);
                if (closed || toNode == nodeId || !nodes.contains(toNode)) return false;
                if (isolated.contains(nodeId) || isolated.contains(toNode)) return false;
                MessageHandler h = handlers.get(toNode);
                if (h == null) return false;
                try {
                    delivery.execute(() -> {
                        if (!isolated.contains(nodeId) && !isolated.contains(toNode) && handlers.get(toNode) == h)
                            h.onMessage(nodeId, group, message);
                    });
                    return true;
                } catch (RuntimeException shutDown) {
                    return false;
                }
            }

            @Override
            public int maxMessageBytes() {
                return MAX_MESSAGE_BYTES;
            }

            @Override
            public List<PeerStatus> peers() {
                List<PeerStatus> out = new ArrayList<>();
                for (int n : nodes) {
                    if (n == nodeId) continue;
                    boolean up = handlers.containsKey(n) && !isolated.contains(n) && !isolated.contains(nodeId);
                    // a link is a switch, not a clock: heard "just now" while up, "never" while cut
                    out.add(new PeerStatus(n, "local:" + n, up, up, 0, 0, null, up ? 0 : -1, 0));
                }
                return out;
            }

            @Override
            public void close() {
                closed = true;
                handlers.remove(nodeId);
            }
        };
    }

    /** Cuts {@code nodeId} off from every other node (messages both ways are dropped). */
    public void isolate(int nodeId) {
        isolated.add(nodeId);
    }

    /** Reconnects {@code nodeId}. */
    public void heal(int nodeId) {
        isolated.remove(nodeId);
    }

    @Override
    public void close() throws InterruptedException {
        delivery.shutdownNow();
        delivery.awaitTermination(5, TimeUnit.SECONDS);
    }
}
