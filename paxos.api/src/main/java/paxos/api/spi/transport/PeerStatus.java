package paxos.api.spi.transport;

/**
 * A transport's view of one peer, a snapshot taken by {@link Transport#peers()}.
 *
 * <p>{@code connected}/{@code authenticated} describe this node's connection TO the peer, which
 * TCP may report as open long after the peer went silent (a cut cable, a paused process).
 * {@code lastHeardMillisAgo} is the honest liveness signal: it counts from the last frame of any
 * kind received FROM the peer (messages and the transport's keepalives, see
 * {@link Transport#KEEPALIVE_MILLIS_MAX}).
 *
 * @param nodeId the peer
 * @param address {@code host:port} the transport connects to
 * @param connected a connection is open
 * @param authenticated the open connection passed the cluster handshake
 * @param messagesSent messages handed to the socket since start
 * @param messagesDropped messages dropped since start (queue full, not connected, oversize)
 * @param lastError the last connection error, or {@code null}; cleared when a connection to the
 *        peer authenticates again
 * @param lastHeardMillisAgo milliseconds since anything was received from the peer, {@code >= 0};
 *        {@code -1} if nothing was received since this transport started
 * @param lastErrorAtMillis when {@code lastError} happened, epoch milliseconds; {@code 0} when
 *        {@code lastError} is null
 */
public record PeerStatus(int nodeId, String address, boolean connected, boolean authenticated,
                         long messagesSent, long messagesDropped, String lastError,
                         long lastHeardMillisAgo, long lastErrorAtMillis) {

    /** The form before liveness was reported: never heard ({@code -1}), no error time. */
    public PeerStatus(int nodeId, String address, boolean connected, boolean authenticated,
                      long messagesSent, long messagesDropped, String lastError) {
        this(nodeId, address, connected, authenticated, messagesSent, messagesDropped, lastError, -1, 0);
    }
}
