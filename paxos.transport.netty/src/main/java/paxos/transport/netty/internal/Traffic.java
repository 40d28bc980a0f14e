package paxos.transport.netty.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import paxos.api.spi.transport.TrafficObserver;

/**
 * The transport's one {@link TrafficObserver}, or none: what the links and the inbound side
 * report to; and the round-trip clock carried by keepalives. A keepalive body is three longs:
 * the sender's {@code System.nanoTime()}, the last such value it received from us (0 if none) and
 * how long it held that value before sending. The one-way connections of both directions thus
 * form a ping/pong: RTT = now − echoed value − hold time, each term on one node's own clock.
 * A peer of an older version sends empty keepalives and ignores bodies: no samples, no harm.
 */
public final class Traffic {
    /** Keepalive body bytes with the round-trip clock. */
    static final int KEEPALIVE_BODY_BYTES = 24;
    private static final long RTT_NANOS_MAX = TimeUnit.SECONDS.toNanos(60);

    private volatile TrafficObserver observer;
    /** Per peer: its clock value from its last keepalive, and our nanoTime when that arrived. */
    private final ConcurrentHashMap<Integer, long[]> lastPing = new ConcurrentHashMap<>();
    /** Per peer: the echo of ours last turned into a sample (each ping is counted once). */
    private final ConcurrentHashMap<Integer, Long> lastEcho = new ConcurrentHashMap<>();

    public void observe(TrafficObserver o) {
        observer = o;
    }

    void sent(int peer, int bytes) {
        TrafficObserver o = observer;
        if (o != null) o.sent(peer, bytes);
    }

    void received(int peer, int bytes) {
        TrafficObserver o = observer;
        if (o != null) o.received(peer, bytes);
    }

    /** The body of our next keepalive to {@code peer}. */
    byte[] keepaliveBody(int peer) {
        long now = System.nanoTime();
        long[] ping = lastPing.get(peer);
        return ByteBuffer.allocate(KEEPALIVE_BODY_BYTES).putLong(now).putLong(ping == null ? 0 : ping[0])
                .putLong(ping == null ? 0 : now - ping[1]).array();
    }

    /** A keepalive from {@code peer} arrived: remember its clock and, if it echoes ours, report the round trip. */
    void keepaliveReceived(int peer, byte[] body) {
        if (body.length != KEEPALIVE_BODY_BYTES) return;
        long now = System.nanoTime();
        ByteBuffer b = ByteBuffer.wrap(body);
        long theirs = b.getLong();
        long echo = b.getLong();
        long hold = b.getLong();
        lastPing.put(peer, new long[] {theirs, now});
        if (echo == 0 || Long.valueOf(echo).equals(lastEcho.put(peer, echo))) return;
        long rtt = now - echo - hold;
        TrafficObserver o = observer;
        if (o != null && rtt > 0 && rtt < RTT_NANOS_MAX) o.roundTrip(peer, rtt);
    }
}
