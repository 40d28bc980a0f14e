package paxos.api.spi.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told about every message a {@link Transport} writes to or receives from a peer, for per-peer
 * metrics ({@link Transport#observeTraffic}). Keepalives and handshake frames are not reported.
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
}
