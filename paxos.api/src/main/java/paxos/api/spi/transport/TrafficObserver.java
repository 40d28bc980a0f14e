package paxos.api.spi.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told about every message a {@link Transport} writes to or receives from a peer, and about
 * round trips it timed, for per-peer metrics ({@link Transport#observeTraffic}). Keepalives and
 * handshake frames are not reported as messages.
 *
 * <p><b>Threads.</b> Called on transport I/O threads, once per message: it must return within
 * microseconds, never block, never throw.
 */
@ConsumerType
public interface TrafficObserver {
    /** {@code bytes}: the frame on the wire (message plus framing) handed to the socket for {@code peer}. */
    void sent(int peer, int bytes);

    /** {@code bytes}: the frame on the wire received from {@code peer} after its handshake. */
    void received(int peer, int bytes);

    /**
     * A round trip to {@code peer} and back took {@code nanos} (network, both directions, and the
     * peer's event-loop delay). Implementations that time round trips call it about once a
     * second per peer; the default ignores it.
     */
    default void roundTrip(int peer, long nanos) {}
}
