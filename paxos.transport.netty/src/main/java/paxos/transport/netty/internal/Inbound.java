package paxos.transport.netty.internal;

import io.netty.channel.Channel;
import java.lang.System.Logger.Level;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
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
 *
 * <p><b>Members.</b> Who may connect is the member set in force ({@link #members}), replaced when
 * the membership changes: a node that proves the cluster secret but is not a member (yet) is
 * refused after the handshake, and the incarnation it proved is remembered
 * ({@link #presentedIncarnation}) so that an operator adding it can record that incarnation in
 * the log. A member's connection is admitted only under one of the incarnations the membership
 * names for it; where it names none, the first one seen is pinned (see {@code Incarnations}).
 */
public final class Inbound {
    /** Connections allowed to be mid-handshake at once; more are closed on arrival. */
    public static final int PENDING_MAX = 64;
    /** Incarnations proved by nodes remembered at most (members and nodes waiting to join). */
    static final int PRESENTED_MAX = 1024;
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] NO_INCARNATION = new byte[Handshake.INCARNATION_BYTES];

    final int selfNodeId;
    /** Per member, the incarnations it may connect with (empty: any, the first seen is pinned). */
    private volatile Map<Integer, Set<String>> members;
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
    /** Per open channel, the incarnation its peer proved (hex; null for none). */
    private final ConcurrentHashMap<Channel, String> openIncarnations = new ConcurrentHashMap<>();
    /** Per node, the incarnation of its latest authenticated hello, oldest first; guarded by itself. */
    private final Map<Integer, String> presented = new LinkedHashMap<>();
    /** Told when a member's connection opened (the transport redials it at once if it waits). */
    private volatile java.util.function.IntConsumer onOpened = node -> { };
    /** Per peer, System.nanoTime() of the last frame received after its handshake; absent if never. */
    private final ConcurrentHashMap<Integer, Long> lastHeardNanos = new ConcurrentHashMap<>();

    /** @param members see {@link #members(Map)} */
    public Inbound(int selfNodeId, Map<Integer, Set<String>> members, Handshake handshake, MessageHandler handler,
                   RateLimitedLog log, int maxFrameBytes, long handshakeTimeoutMillis) {
        this.selfNodeId = selfNodeId;
        this.members = Map.copyOf(members);
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

    void opened(int nodeId, String incarnation, Channel channel) {
        if (incarnation != null) openIncarnations.put(channel, incarnation);
        Channel previous = open.put(nodeId, channel);
        if (previous != null && previous != channel) previous.close();
        onOpened.accept(nodeId);
    }

    void closed(int nodeId, Channel channel) {
        open.remove(nodeId, channel);
        openIncarnations.remove(channel);
    }

    /**
     * Replaces the member set: {@code next} maps each member to the incarnations it may connect
     * with (an empty set: any, the first seen is pinned). Open connections of nodes no longer
     * admitted (removed, or under an incarnation the membership no longer names) are closed, each
     * checked on its own event loop. Never blocks.
     */
    public void members(Map<Integer, Set<String>> next) {
        members = Map.copyOf(next);
        open.forEach((node, channel) -> {
            String hex = openIncarnations.get(channel);
            byte[] incarnation = hex == null ? NO_INCARNATION : HEX.parseHex(hex);
            channel.eventLoop().execute(() -> {
                if (channel.isActive() && !admits(node, incarnation)) {
                    log.log(Level.INFO, "no-longer-member:" + node, "closing the inbound connection of node " + node
                            + ": no longer a member under the incarnation it proved");
                    channel.close();
                }
            });
        });
    }

    /** Whether {@code nodeId} is a member now (any incarnation). */
    boolean isMember(int nodeId) {
        return members.containsKey(nodeId);
    }

    /** Called with the node ID whenever a member's inbound connection opened; set before start. */
    public void onOpened(java.util.function.IntConsumer callback) {
        onOpened = callback;
    }

    /** Records the incarnation {@code nodeId} proved in a handshake (bounded: the oldest node is forgotten). */
    void presented(int nodeId, byte[] incarnation) {
        String hex = hex(incarnation);
        synchronized (presented) {
            presented.remove(nodeId);
            if (hex == null) return;
            presented.put(nodeId, hex);
            if (presented.size() > PRESENTED_MAX) presented.remove(presented.keySet().iterator().next());
        }
    }

    /** An incarnation in hex, or null for the all-zero one of a node without a data directory. */
    static String hex(byte[] incarnation) {
        return java.util.Arrays.equals(incarnation, NO_INCARNATION) ? null : HEX.formatHex(incarnation);
    }

    /** The incarnation {@code nodeId} proved in its latest authenticated handshake here, or null. */
    public String presentedIncarnation(int nodeId) {
        synchronized (presented) {
            return presented.get(nodeId);
        }
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

    /**
     * Whether member {@code nodeId} may connect with {@code incarnation}: one the membership names for
     * it, or, where it names none, the one the pinning check admits. Non-members never.
     */
    boolean admits(int nodeId, byte[] incarnation) {
        Set<String> allowed = members.get(nodeId);
        if (allowed == null) return false;
        if (allowed.isEmpty()) return incarnations.test(nodeId, incarnation);
        return allowed.contains(HEX.formatHex(incarnation));
    }

    /** Reports delivered messages to {@code t} from now on (the transport's one {@link Traffic}). */
    public void traffic(Traffic t) {
        traffic = t;
    }

    /** A keepalive from {@code fromNode}: its body carries the round-trip clock ({@link Traffic}). */
    void keepalive(int fromNode, byte[] body) {
        traffic.keepaliveReceived(fromNode, body);
    }

    /** @param incarnation what the sender proved in its handshake (hex), or null */
    void deliver(int fromNode, String incarnation, int group, byte[] message) {
        try {
            traffic.received(fromNode, message.length + Frame.OVERHEAD_BYTES);
            handler.onMessage(fromNode, incarnation, group, message);
        } catch (RuntimeException e) {
            // a handler bug must not cut the connection (the peer would just reconnect and resend)
            log.log(Level.ERROR, "handler-failed", "message handler failed on a message from node " + fromNode
                    + ": " + e);
        }
    }
}
