package paxos.api.spi.transport;

/**
 * A transport's view of one peer.
 *
 * @param nodeId the peer
 * @param address {@code host:port} the transport connects to
 * @param connected a connection is open
 * @param authenticated the open connection passed the cluster handshake
 * @param messagesSent messages handed to the socket since start
 * @param messagesDropped messages dropped since start (queue full, not connected, oversize)
 * @param lastError the last connection error, or {@code null}
 */
public record PeerStatus(int nodeId, String address, boolean connected, boolean authenticated,
                         long messagesSent, long messagesDropped, String lastError) {}
