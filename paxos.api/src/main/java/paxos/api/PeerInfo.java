package paxos.api;

/**
 * One peer as seen from this node, for status pages.
 *
 * @param nodeId the peer
 * @param address {@code host:port}
 * @param connected a connection is open
 * @param authenticated the connection passed the cluster handshake
 * @param lastError the last connection error, or {@code null}
 */
public record PeerInfo(int nodeId, String address, boolean connected, boolean authenticated, String lastError) {}
