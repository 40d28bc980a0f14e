package paxos.transport.netty.internal;

import io.netty.channel.Channel;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import paxos.api.spi.transport.MessageHandler;

/**
 * What all inbound connections of one node share: who may connect, where messages go, and the
 * bounds. At most one authenticated inbound connection per peer is kept (a newer one replaces
 * an older, which is then likely half-open), and at most {@link #PENDING_MAX} connections may be
 * waiting for their handshake at once, so strangers cannot exhaust the node. Thread-safe.
 */
public final class Inbound {
    /** Connections allowed to be mid-handshake at once; more are closed on arrival. */
    public static final int PENDING_MAX = 64;

    final int selfNodeId;
    final Set<Integer> peerIds;
    final Handshake handshake;
    final MessageHandler handler;
    final RateLimitedLog log;
    final int maxFrameBytes;
    final long handshakeTimeoutMillis;
    private final AtomicInteger pending = new AtomicInteger();
    /** Whether a peer authenticated with this incarnation may open a connection; set before start. */
    private volatile java.util.function.BiPredicate<Integer, byte[]> incarnations = (node, incarnation) -> true;
    /** Told about every delivered message; set by the transport before start. */
    private volatile Traffic traffic = new Traffic();
    private final ConcurrentHashMap<Integer, Channel> open = new ConcurrentHashMap<>();
    /** Per peer, System.nanoTime() of the last frame received after its handshake; absent if never. */
    private final ConcurrentHashMap<Integer, Long> lastHeardNanos = new ConcurrentHashMap<>();

    public Inbound(int selfNodeId, Set<Integer> peerIds, Handshake handshake, MessageHandler handler,
                   RateLimitedLog log, int maxFrameBytes, long handshakeTimeoutMillis) {
        this.selfNodeId = selfNodeId;
        this.peerIds = Set.copyOf(peerIds);
        this.handshake = handshake;
        this.handler = handler;
        this.log = log;
        this.maxFrameBytes = maxFrameBytes;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    boolean tryEnterPending() {
        if (pending.incrementAndGet() > PENDING_MAX) {
            pending.decrementAndGet();
            return false;
        }
        return true;
    }

    void leavePending() {
        pending.decrementAndGet();
    }

    void opened(int nodeId, Channel channel) {
        Channel previous = open.put(nodeId, channel);
        if (previous != null && previous != channel) previous.close();
    }

    void closed(int nodeId, Channel channel) {
        open.remove(nodeId, channel);
    }

    /** Records that a frame (handshake, data or keepalive) arrived from {@code nodeId} now. */
    void heard(int nodeId) {
        lastHeardNanos.put(nodeId, System.nanoTime());
    }

    /** Milliseconds since the last frame from {@code nodeId}, or -1 if none arrived yet. */
    public long lastHeardMillisAgo(int nodeId) {
        Long at = lastHeardNanos.get(nodeId);
        return at == null ? -1 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at);
    }

    /** Authenticated inbound connections now open, by node ID. */
    public Set<Integer> openPeers() {
        return Set.copyOf(open.keySet());
    }

    /** Closes every inbound connection (transport shutdown). */
    public void closeAll() {
        open.values().forEach(Channel::close);
    }

    /** Admits authenticated peers only if {@code check} accepts their incarnation (see {@code Incarnations}). */
    public void incarnations(java.util.function.BiPredicate<Integer, byte[]> check) {
        incarnations = check;
    }

    boolean admits(int nodeId, byte[] incarnation) {
        return incarnations.test(nodeId, incarnation);
    }

    /** Reports delivered messages to {@code t} from now on (the transport's one {@link Traffic}). */
    public void traffic(Traffic t) {
        traffic = t;
    }

    /** A keepalive from {@code fromNode}: its body carries the round-trip clock ({@link Traffic}). */
    void keepalive(int fromNode, byte[] body) {
        traffic.keepaliveReceived(fromNode, body);
    }

    void deliver(int fromNode, int group, byte[] message) {
        try {
            traffic.received(fromNode, message.length + Frame.OVERHEAD_BYTES);
            handler.onMessage(fromNode, group, message);
        } catch (RuntimeException e) {
            // a handler bug must not cut the connection (the peer would just reconnect and resend)
            log.log(Level.ERROR, "handler-failed", "message handler failed on a message from node " + fromNode
                    + ": " + e);
        }
    }
}
