package paxos.api.spi.transport;

/**
 * Service property names that a {@link Transport} registered as an OSGi service carries, so
 * that the engine takes the node's identity from the transport that authenticates it to its
 * peers (one source of truth: the transport's configuration). Constants only.
 *
 * <p>The engine component refuses to start (naming the property) when one is missing or
 * malformed. Any other property of the service is the transport's own business.
 */
public final class TransportProperties {
    private TransportProperties() {}

    /** This node's ID ({@code Integer} or decimal {@code String}, {@code 1..65535}); one of {@link #MEMBERS}. */
    public static final String NODE_ID = "nodeId";

    /** The cluster's name ({@code String}); the transport refuses peers of another cluster. */
    public static final String CLUSTER_ID = "clusterId";

    /**
     * Every node of the cluster, this one included ({@code String}
     * {@code id@host:port,id@host:port,...}): the addresses the transport dials and the engine's
     * initial membership.
     */
    public static final String MEMBERS = "members";

    /**
     * Optional: this node's incarnation ({@code String}, hex digits), the random ID of its data
     * directory's identity that the transport presents to its peers; absent or blank: none. The
     * engine votes only where a membership names this node without an incarnation or with this one.
     */
    public static final String INCARNATION = "incarnation";
}
