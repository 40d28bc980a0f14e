package paxos.api;

/**
 * One peer as seen from this node, for status pages and health decisions. A snapshot taken by
 * {@link PaxosNode#peers()}.
 *
 * <p>{@code reachable} is the liveness to trust: something (a message or a transport keepalive)
 * was received from the peer within about an election timeout. {@code connected} and
 * {@code authenticated} only describe this node's TCP connection to the peer, which can stay
 * "open" for seconds after the peer was cut off.
 *
 * @param nodeId the peer
 * @param address {@code host:port}
 * @param connected a connection is open
 * @param authenticated the connection passed the cluster handshake
 * @param lastError the last connection error, or {@code null}; cleared when a connection to the
 *        peer authenticates again
 * @param lastHeardMillisAgo milliseconds since anything was received from the peer, or {@code -1}
 *        if nothing was received since this node started
 * @param reachable heard from within the node's election timeout ({@code lastHeardMillisAgo} in
 *        {@code 0..electionTimeout})
 * @param lastErrorAtMillis when {@code lastError} happened, epoch milliseconds; {@code 0} when none
 */
public record PeerInfo(int nodeId, String address, boolean connected, boolean authenticated, String lastError,
                       long lastHeardMillisAgo, boolean reachable, long lastErrorAtMillis) {

    /** The form before liveness was reported: reachable when connected and authenticated, never heard. */
    public PeerInfo(int nodeId, String address, boolean connected, boolean authenticated, String lastError) {
        this(nodeId, address, connected, authenticated, lastError, -1, connected && authenticated, 0);
    }
}
