package paxos.transport.netty.osgi;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import paxos.api.spi.transport.MessageHandler;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.spi.transport.Transport;
import paxos.api.spi.transport.TransportProperties;
import paxos.transport.netty.Incarnations;
import paxos.transport.netty.NettyTransport;
import paxos.transport.netty.NettyTransportConfig;
import paxos.transport.netty.TlsStores;

/**
 * Registers a {@link NettyTransport} as the node's {@link Transport} service once ConfigAdmin
 * holds a configuration for PID {@value #PID}. The service carries this node's identity as the
 * properties of {@link TransportProperties} (node ID, cluster ID, members), which the engine
 * takes as its own. The secret and TLS passwords are private properties (a leading dot), so they
 * never appear among the service's properties.
 *
 * <p>Bundle scope: {@link Transport#start} may be called once per transport, so each consumer
 * (there is one, the engine) gets a transport of its own, closed when it ungets the service; an
 * engine restarted by SCR therefore binds a fresh transport. A saved form change deactivates the
 * engine (a static reference) before the transport closes, then both come back.
 */
@Component(service = Transport.class, scope = ServiceScope.BUNDLE, configurationPid = TransportComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = TransportComponent.Config.class)
public final class TransportComponent implements Transport {
    /** The configuration PID. */
    public static final String PID = "paxos.transport.netty";
    private static final System.Logger LOG = System.getLogger(TransportComponent.class.getName());

    /** The Metatype form of {@link NettyTransportConfig}; method names map to property names. */
    @ObjectClassDefinition(name = "Paxos transport (Netty)", description = "Authenticated TCP (optionally mutual TLS) "
            + "between the nodes; holds this node's identity. Saving restarts the engine with a new transport.")
    public @interface Config {
        /** @return this node */
        @AttributeDefinition(name = "Node ID", description = "1..65535; must appear in Members", min = "1", max = "65535")
        int nodeId();

        /** @return every member */
        @AttributeDefinition(name = "Members", description = "id@host:port,... for every node, this one included; "
                + "this node listens on its own entry's port")
        String members();

        /** @return cluster name */
        @AttributeDefinition(name = "Cluster ID", description = "Nodes of another cluster are refused")
        String clusterId() default "paxos";

        /** @return shared secret (private property {@code .clusterSecret}) */
        @AttributeDefinition(name = "Cluster secret", type = AttributeType.PASSWORD,
                description = "Shared by every node; at least 16 characters")
        String _clusterSecret();

        /** @return listen address */
        @AttributeDefinition(name = "Listen address", description = "The Paxos port binds here only (no wildcard)")
        String listenHost() default NettyTransportConfig.DEFAULT_LISTEN_HOST;

        /** @return frame cap */
        @AttributeDefinition(name = "Max frame bytes", description = "Largest message on the wire, 1 KiB..64 MiB; "
                + "the engine needs its batchBytesMax plus 64 KiB", min = "1024", max = "67108864")
        int maxFrameBytes() default NettyTransportConfig.DEFAULT_MAX_FRAME_BYTES;

        /** @return queue bound */
        @AttributeDefinition(name = "Outbound queue, messages", description = "Per peer; the oldest are dropped beyond it",
                min = "1", max = "1000000")
        int outboundQueueMessagesMax() default NettyTransportConfig.DEFAULT_OUTBOUND_QUEUE_MESSAGES_MAX;

        /** @return queue bound */
        @AttributeDefinition(name = "Outbound queue, bytes", description = "Per peer; at least the frame cap")
        long outboundQueueBytesMax() default NettyTransportConfig.DEFAULT_OUTBOUND_QUEUE_BYTES_MAX;

        /** @return handshake timeout */
        @AttributeDefinition(name = "Handshake timeout, ms", min = "100", max = "120000")
        long handshakeTimeoutMillis() default NettyTransportConfig.DEFAULT_HANDSHAKE_TIMEOUT_MILLIS;

        /** @return TLS key store */
        @AttributeDefinition(name = "TLS key store", description = "Empty: plain TCP (still authenticated)", required = false)
        String tlsKeyStore() default "";

        /** @return its password (private property) */
        @AttributeDefinition(name = "TLS key store password", type = AttributeType.PASSWORD, required = false)
        String _tlsKeyStorePassword() default "";

        /** @return TLS trust store */
        @AttributeDefinition(name = "TLS trust store", required = false)
        String tlsTrustStore() default "";

        /** @return its password (private property) */
        @AttributeDefinition(name = "TLS trust store password", type = AttributeType.PASSWORD, required = false)
        String _tlsTrustStorePassword() default "";

        /** @return this node's incarnation */
        @AttributeDefinition(name = "Incarnation", required = false, description = "32 hex digits from this node's "
                + "data directory identity (node.properties), written by the launcher; empty: none, no peer checks")
        String incarnation() default "";

        /** @return where the peers' incarnations are recorded */
        @AttributeDefinition(name = "Peer incarnations file", required = false, description = "Records the incarnation "
                + "first seen per peer; a peer under another one (its data was lost) is refused. Empty: no checks")
        String incarnationsFile() default "";

        /** @return the operator's override */
        @AttributeDefinition(name = "Forget incarnations of", required = false, description = "Node IDs, comma separated, "
                + "whose recorded incarnation is forgotten (after replacing a dead machine; see README 'Node identity')")
        String forgetIncarnations() default "";
    }

    private final NettyTransport transport;

    /**
     * Validates the form; the port is bound when the engine starts the transport.
     *
     * @throws IllegalArgumentException naming the bad setting; SCR then leaves the component inactive
     */
    @Activate
    public TransportComponent(Config c) {
        try {
            this.transport = new NettyTransport(toTransportConfig(c), incarnations(c));
        } catch (IOException | RuntimeException e) {
            // SCR reports activation failures only to the OSGi Log Service, which prints nothing
            LOG.log(Level.ERROR, "{0} configuration rejected, the transport is not started: {1}", PID, e.getMessage());
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        }
        // the settings in effect (never the secrets), so that a saved form can be seen to take hold
        LOG.log(Level.INFO, "transport of node {0} configured: members {1}, maxFrameBytes {2}, "
                + "outboundQueueMessagesMax {3}", Integer.toString(c.nodeId()), c.members(),
                Integer.toString(c.maxFrameBytes()), Integer.toString(c.outboundQueueMessagesMax()));
    }

    /** The incarnation checks of a form: none unless both the incarnation and the file are set. */
    static Incarnations incarnations(Config c) throws IOException {
        if (c.incarnation().isBlank() || c.incarnationsFile().isBlank()) return Incarnations.none();
        java.util.Set<Integer> forget = new java.util.TreeSet<>();
        for (String id : c.forgetIncarnations().split(",")) {
            if (!id.isBlank()) forget.add(Integer.parseInt(id.trim()));
        }
        return Incarnations.open(c.incarnation().trim(), Path.of(c.incarnationsFile()), forget);
    }

    /** The Netty settings of a form: this node's member entry gives the listen port, the others are peers. */
    static NettyTransportConfig toTransportConfig(Config c) {
        Map<Integer, String> all = parseMembers(c.members());
        String self = all.remove(c.nodeId());
        if (self == null)
            throw new IllegalArgumentException("nodeId " + c.nodeId() + " is not one of the members " + c.members());
        int port = Integer.parseInt(self.substring(self.lastIndexOf(':') + 1));
        String secret = c._clusterSecret() == null ? "" : c._clusterSecret();
        NettyTransportConfig t = NettyTransportConfig.of(c.nodeId(), c.clusterId(), secret.getBytes(StandardCharsets.UTF_8),
                        port, all)
                .withListen(c.listenHost(), port)
                .withMaxFrameBytes(c.maxFrameBytes())
                .withOutboundQueue(c.outboundQueueMessagesMax(), Math.max(c.outboundQueueBytesMax(), c.maxFrameBytes()))
                .withHandshakeTimeoutMillis(c.handshakeTimeoutMillis());
        if (!c.tlsKeyStore().isBlank())
            t = t.withTls(new TlsStores(Path.of(c.tlsKeyStore()), c._tlsKeyStorePassword(), Path.of(c.tlsTrustStore()),
                    c._tlsTrustStorePassword()));
        return t;
    }

    /**
     * Parses {@code id@host:port,...} into node ID to {@code host:port} (IPv6 hosts bracketed).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    static Map<Integer, String> parseMembers(String text) {
        Map<Integer, String> out = new TreeMap<>();
        for (String raw : text == null ? new String[0] : text.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) continue;
            int at = entry.indexOf('@');
            int colon = entry.lastIndexOf(':');
            if (at <= 0 || colon <= at + 1 || colon == entry.length() - 1)
                throw new IllegalArgumentException("bad member '" + entry + "': expected id@host:port");
            String host = entry.substring(at + 1, colon);
            String port = entry.substring(colon + 1);
            try {
                Integer.parseInt(port);
                if (out.put(Integer.parseInt(entry.substring(0, at)), host.contains(":") && !host.startsWith("[")
                        ? "[" + host + "]:" + port : host + ":" + port) != null)
                    throw new IllegalArgumentException("member " + entry.substring(0, at) + " appears twice");
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad member '" + entry + "': id and port must be numbers");
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no members given");
        return out;
    }

    @Deactivate
    void deactivate() {
        transport.close();
        LOG.log(Level.INFO, "transport closed");
    }

    @Override
    public void start(MessageHandler handler) {
        transport.start(handler);
    }

    @Override
    public boolean send(int toNode, int group, byte[] message) {
        return transport.send(toNode, group, message);
    }

    @Override
    public int maxMessageBytes() {
        return transport.maxMessageBytes();
    }

    @Override
    public List<PeerStatus> peers() {
        return transport.peers();
    }

    @Override
    public void observeTraffic(paxos.api.spi.transport.TrafficObserver observer) {
        transport.observeTraffic(observer);
    }

    @Override
    public void updateMembers(java.util.Collection<paxos.api.Member> members) {
        transport.updateMembers(members);
    }

    @Override
    public String presentedIncarnation(int nodeId) {
        return transport.presentedIncarnation(nodeId);
    }

    /** Closing is the component's lifecycle (the consumer ungetting the service); a client's close() is ignored. */
    @Override
    public void close() {
        // deactivation closes the transport
    }
}
