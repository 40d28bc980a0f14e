package paxos.transport.netty;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything a {@link NettyTransport} needs, validated at construction: nonsense is rejected
 * with an {@link IllegalArgumentException} naming the field. Immutable; build one with
 * {@link #of} (defaults for everything optional) and the {@code with...} methods.
 *
 * @param nodeId this node, {@code 1..65535}
 * @param clusterId names the cluster; nodes of other clusters are refused. 1..255 UTF-8 bytes
 * @param clusterSecret shared by all members; authenticates the handshake (HMAC-SHA256). At least
 *        16 bytes. Copied in and out: the record never shares the array
 * @param listenHost the only address listened on (default {@code 127.0.0.1}); wildcard addresses
 *        ({@code 0.0.0.0}, {@code ::}) are refused so a node never listens on every interface.
 *        Connections to peers are dialed from it too, so it must be able to reach them
 * @param listenPort {@code 0..65535}; 0 picks a free port (see {@link NettyTransport#localPort()})
 * @param peers every other member: node ID to {@code host:port} ({@code [v6]:port} for IPv6);
 *        must not contain {@code nodeId}
 * @param maxFrameBytes largest frame on the wire, header included, {@code 1 KiB..64 MiB}
 *        (default 16 MiB); {@link NettyTransport#maxMessageBytes()} is this minus the header
 * @param outboundQueueMessagesMax messages queued per peer before the oldest are dropped
 *        (default 10,000), {@code 1..1,000,000}
 * @param outboundQueueBytesMax bytes queued per peer before the oldest are dropped (default
 *        64 MiB); at least {@code maxFrameBytes} so that any legal message fits, at most 4 GiB
 * @param reconnectBackoffMinMillis first reconnect delay (default 50), {@code 1..60,000}
 * @param reconnectBackoffMaxMillis delay cap (default 5,000), {@code min..600,000}
 * @param handshakeTimeoutMillis a connection not authenticated by then is closed (default
 *        5,000), {@code 100..120,000}
 * @param ioThreads Netty event-loop threads for all connections (default 2), {@code 1..64}
 * @param nativeTransport use epoll when it is available (default true); false forces NIO
 * @param tls mutual TLS material, or {@code null} for plain TCP (the default)
 */
public record NettyTransportConfig(int nodeId, String clusterId, byte[] clusterSecret,
                                   String listenHost, int listenPort, Map<Integer, String> peers,
                                   int maxFrameBytes, int outboundQueueMessagesMax,
                                   long outboundQueueBytesMax, long reconnectBackoffMinMillis,
                                   long reconnectBackoffMaxMillis, long handshakeTimeoutMillis,
                                   int ioThreads, boolean nativeTransport, TlsStores tls) {

    public static final String DEFAULT_LISTEN_HOST = "127.0.0.1";
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 << 20;
    /** Hard cap of {@link #maxFrameBytes}: no peer can make a node allocate more per frame. */
    public static final int MAX_FRAME_BYTES_CAP = 64 << 20;
    public static final int MIN_FRAME_BYTES = 1 << 10;
    public static final int DEFAULT_OUTBOUND_QUEUE_MESSAGES_MAX = 10_000;
    public static final long DEFAULT_OUTBOUND_QUEUE_BYTES_MAX = 64L << 20;
    public static final long DEFAULT_RECONNECT_BACKOFF_MIN_MILLIS = 50;
    public static final long DEFAULT_RECONNECT_BACKOFF_MAX_MILLIS = 5_000;
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 5_000;
    public static final int DEFAULT_IO_THREADS = 2;
    public static final int CLUSTER_SECRET_BYTES_MIN = 16;

    /** Validates every field; copies the secret and the peers map. */
    public NettyTransportConfig {
        checkRange("nodeId", nodeId, 1, 65_535);
        Objects.requireNonNull(clusterId, "clusterId");
        int clusterIdBytes = clusterId.getBytes(StandardCharsets.UTF_8).length;
        if (clusterId.isBlank() || clusterIdBytes > 255) {
            throw new IllegalArgumentException("clusterId must be 1..255 UTF-8 bytes and not blank: '" + clusterId + "'");
        }
        Objects.requireNonNull(clusterSecret, "clusterSecret");
        if (clusterSecret.length < CLUSTER_SECRET_BYTES_MIN) {
            throw new IllegalArgumentException("clusterSecret must be at least " + CLUSTER_SECRET_BYTES_MIN
                    + " bytes, got " + clusterSecret.length);
        }
        clusterSecret = clusterSecret.clone();
        Objects.requireNonNull(listenHost, "listenHost");
        if (listenHost.isBlank() || isWildcard(listenHost)) {
            throw new IllegalArgumentException("listenHost must be one concrete address, not '" + listenHost
                    + "' (a node never listens on every interface)");
        }
        checkRange("listenPort", listenPort, 0, 65_535);
        Objects.requireNonNull(peers, "peers");
        TreeMap<Integer, String> sortedPeers = new TreeMap<>();
        for (Map.Entry<Integer, String> peer : peers.entrySet()) {
            Integer peerId = Objects.requireNonNull(peer.getKey(), "peers: null node ID");
            checkRange("peers: node ID", peerId, 1, 65_535);
            if (peerId == nodeId) {
                throw new IllegalArgumentException("peers must not contain this node's own ID " + nodeId);
            }
            PeerAddress.parse(peerId, peer.getValue()); // throws on a malformed address
            sortedPeers.put(peerId, peer.getValue());
        }
        peers = java.util.Collections.unmodifiableMap(sortedPeers);
        checkRange("maxFrameBytes", maxFrameBytes, MIN_FRAME_BYTES, MAX_FRAME_BYTES_CAP);
        checkRange("outboundQueueMessagesMax", outboundQueueMessagesMax, 1, 1_000_000);
        checkRange("outboundQueueBytesMax", outboundQueueBytesMax, maxFrameBytes, 4L << 30);
        checkRange("reconnectBackoffMinMillis", reconnectBackoffMinMillis, 1, 60_000);
        checkRange("reconnectBackoffMaxMillis", reconnectBackoffMaxMillis, reconnectBackoffMinMillis, 600_000);
        checkRange("handshakeTimeoutMillis", handshakeTimeoutMillis, 100, 120_000);
        checkRange("ioThreads", ioThreads, 1, 64);
    }

    /**
     * A config with every optional field at its default: listening on 127.0.0.1 at
     * {@code listenPort}, plain TCP.
     */
    public static NettyTransportConfig of(int nodeId, String clusterId, byte[] clusterSecret,
                                          int listenPort, Map<Integer, String> peers) {
        return new NettyTransportConfig(nodeId, clusterId, clusterSecret, DEFAULT_LISTEN_HOST, listenPort, peers,
                DEFAULT_MAX_FRAME_BYTES, DEFAULT_OUTBOUND_QUEUE_MESSAGES_MAX, DEFAULT_OUTBOUND_QUEUE_BYTES_MAX,
                DEFAULT_RECONNECT_BACKOFF_MIN_MILLIS, DEFAULT_RECONNECT_BACKOFF_MAX_MILLIS,
                DEFAULT_HANDSHAKE_TIMEOUT_MILLIS, DEFAULT_IO_THREADS, true, null);
    }

    /** A copy listening on {@code host:port}. */
    public NettyTransportConfig withListen(String host, int port) {
        return new NettyTransportConfig(nodeId, clusterId, clusterSecret, host, port, peers, maxFrameBytes,
                outboundQueueMessagesMax, outboundQueueBytesMax, reconnectBackoffMinMillis,
                reconnectBackoffMaxMillis, handshakeTimeoutMillis, ioThreads, nativeTransport, tls);
    }

    /** A copy with another frame cap; the queue byte bound grows to it if it was smaller. */
    public NettyTransportConfig withMaxFrameBytes(int bytes) {
        return new NettyTransportConfig(nodeId, clusterId, clusterSecret, listenHost, listenPort, peers, bytes,
                outboundQueueMessagesMax, Math.max(outboundQueueBytesMax, bytes), reconnectBackoffMinMillis,
                reconnectBackoffMaxMillis, handshakeTimeoutMillis, ioThreads, nativeTransport, tls);
    }

    /** A copy with other per-peer queue bounds. */
    public NettyTransportConfig withOutboundQueue(int messagesMax, long bytesMax) {
        return new NettyTransportConfig(nodeId, clusterId, clusterSecret, listenHost, listenPort, peers,
                maxFrameBytes, messagesMax, bytesMax, reconnectBackoffMinMillis, reconnectBackoffMaxMillis,
                handshakeTimeoutMillis, ioThreads, nativeTransport, tls);
    }

    /** A copy with another reconnect backoff range. */
    public NettyTransportConfig withReconnectBackoff(long minMillis, long maxMillis) {
        return new NettyTransportConfig(nodeId, clusterId, clusterSecret, listenHost, listenPort, peers,
                maxFrameBytes, outboundQueueMessagesMax, outboundQueueBytesMax, minMillis, maxMillis,
                handshakeTimeoutMillis, ioThreads, nativeTransport, tls);
    }

    /** A copy with another handshake timeout. */
    public NettyTransportConfig withHandshakeTimeoutMillis(long millis) {
        return new NettyTransportConfig(nodeId, clusterId, clusterSecret, listenHost, listenPort, peers,
                maxFrameBytes, outboundQueueMessagesMax, outboundQueueBytesMax, reconnectBackoffMinMillis,
                reconnectBackoffMaxMillis, millis, ioThreads, nativeTransport, tls);
    }

    /** A copy with another thread count and native-transport choice. */
    public NettyTransportConfig withIo(int threads, boolean useNativeTransport) {
        return new NettyTransportConfig(nodeId, clusterId, clusterSecret, listenHost, listenPort, peers,
                maxFrameBytes, outboundQueueMessagesMax, outboundQueueBytesMax, reconnectBackoffMinMillis,
                reconnectBackoffMaxMillis, handshakeTimeoutMillis, threads, useNativeTransport, tls);
    }

    /** A copy using mutual TLS with {@code stores}, or plain TCP if {@code null}. */
    public NettyTransportConfig withTls(TlsStores stores) {
        return new NettyTransportConfig(nodeId, clusterId, clusterSecret, listenHost, listenPort, peers,
                maxFrameBytes, outboundQueueMessagesMax, outboundQueueBytesMax, reconnectBackoffMinMillis,
                reconnectBackoffMaxMillis, handshakeTimeoutMillis, ioThreads, nativeTransport, stores);
    }

    /** A copy of the secret: the record's own array never leaves it. */
    @Override
    public byte[] clusterSecret() {
        return clusterSecret.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NettyTransportConfig that && nodeId == that.nodeId
                && clusterId.equals(that.clusterId) && Arrays.equals(clusterSecret, that.clusterSecret)
                && listenHost.equals(that.listenHost) && listenPort == that.listenPort && peers.equals(that.peers)
                && maxFrameBytes == that.maxFrameBytes && outboundQueueMessagesMax == that.outboundQueueMessagesMax
                && outboundQueueBytesMax == that.outboundQueueBytesMax
                && reconnectBackoffMinMillis == that.reconnectBackoffMinMillis
                && reconnectBackoffMaxMillis == that.reconnectBackoffMaxMillis
                && handshakeTimeoutMillis == that.handshakeTimeoutMillis && ioThreads == that.ioThreads
                && nativeTransport == that.nativeTransport && Objects.equals(tls, that.tls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodeId, clusterId, Arrays.hashCode(clusterSecret), listenHost, listenPort, peers);
    }

    /** The secret is redacted: configs get logged. */
    @Override
    public String toString() {
        return "NettyTransportConfig[nodeId=" + nodeId + ", clusterId=" + clusterId + ", clusterSecret=<"
                + clusterSecret.length + " bytes>, listen=" + listenHost + ":" + listenPort + ", peers=" + peers
                + ", maxFrameBytes=" + maxFrameBytes + ", outboundQueueMessagesMax=" + outboundQueueMessagesMax
                + ", outboundQueueBytesMax=" + outboundQueueBytesMax + ", reconnectBackoffMillis="
                + reconnectBackoffMinMillis + ".." + reconnectBackoffMaxMillis + ", handshakeTimeoutMillis="
                + handshakeTimeoutMillis + ", ioThreads=" + ioThreads + ", nativeTransport=" + nativeTransport
                + ", tls=" + tls + "]";
    }

    private static boolean isWildcard(String host) {
        String h = host.trim();
        return h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]") || h.equals("*")
                || h.replace("0", "").replace(":", "").isEmpty();
    }

    private static void checkRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in " + min + ".." + max + ": " + value);
        }
    }
}
