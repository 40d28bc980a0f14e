package paxos.node;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import paxos.api.Member;
import paxos.api.PaxosNode;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.transport.Transport;
import paxos.api.statemachine.StateMachine;
import paxos.api.statemachine.StateMachineFactory;
import paxos.impl.runtime.CheckpointConfig;
import paxos.impl.runtime.Engine;
import paxos.impl.runtime.StateMachineLifecycle;
import paxos.impl.runtime.StateMachineRegistry;
import paxos.storage.leveldb.LevelDbLogStore;
import paxos.storage.leveldb.LevelDbStoreConfig;
import paxos.transport.netty.Incarnations;
import paxos.transport.netty.NettyTransport;
import paxos.transport.netty.NettyTransportConfig;
import paxos.transport.netty.TlsStores;

/**
 * A complete node without OSGi: the durable LevelDB log under {@code dataDir/log}, the Netty
 * transport on the configured address, the engine, and the state machines opened from their
 * factories (one per group, data under {@code dataDir/statemachines/<id>/group-<g>}). The data
 * directory's identity ({@link NodeIdentityFile}) is checked first: a member whose directory is
 * missing or empty refuses to start, and peers refuse a node under another incarnation.
 *
 * <pre>{@code
 * NodeConfig config = NodeConfig.builder(1, "1@127.0.0.1:7001,2@127.0.0.1:7002,3@127.0.0.1:7003")
 *         .clusterSecret(secret).dataDir(Path.of("data/node-1"))
 *         .startMode(StartMode.BOOTSTRAP) // first start of a brand-new cluster only; later starts: MEMBER
 *         .build();
 * try (EmbeddedNode node = EmbeddedNode.start(config, Map.of(1, myFactory))) {
 *     node.node().propose(0, 1, bytes).toCompletableFuture().join();
 * }
 * }</pre>
 *
 * <p>Thread-safe; {@link #close()} stops everything in reverse order of start.
 */
public final class EmbeddedNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EmbeddedNode.class.getName());

    private final NodeConfig config;
    private final LogStore store;
    private final Transport transport;
    private final Engine engine;
    private final Map<Integer, StateMachineFactory> factories;
    private final List<Opened> opened = new java.util.concurrent.CopyOnWriteArrayList<>();

    private record Opened(int group, int id, StateMachine machine) {}

    private EmbeddedNode(NodeConfig config, String incarnation, LogStore store, Transport transport,
                         Map<Integer, StateMachineFactory> factories, CheckpointConfig checkpoints) {
        this.config = config;
        this.store = store;
        this.transport = transport;
        this.factories = Map.copyOf(factories);
        // the engine finishes or rolls back an interrupted checkpoint install before any state machine opens
        // the engine votes only where a membership names this node as this data directory's incarnation
        this.engine = new Engine(config.engine().withIncarnation(incarnation), store, transport, checkpoints);
        this.engine.lifecycle(new FactoryLifecycle());
    }

    /**
     * Opens the log, binds the Paxos port, opens every state machine and starts the node.
     *
     * @param factories state machine ID to its factory; each is opened once per group
     * @throws IllegalStateException naming what failed (data directory, port, a state machine);
     *     whatever was opened is closed again
     */
    public static EmbeddedNode start(NodeConfig config, Map<Integer, StateMachineFactory> factories) {
        LogStore store = null;
        Transport transport = null;
        EmbeddedNode node = null;
        try {
            // before anything touches the directory: a lost one must not be recreated silently
            boolean fresh = !NodeIdentityFile.exists(config.dataDir());
            NodeIdentityFile identity = identity(config);
            store = new LevelDbLogStore(storeConfig(config, fresh));
            transport = new NettyTransport(transportConfig(config), incarnations(config, identity));
            node = new EmbeddedNode(config, identity.incarnation(), store, transport, factories, checkpointConfig(config));
            node.openStateMachines();
            node.engine.start();
            return node;
        } catch (IOException | RuntimeException e) {
            if (node != null) node.close();
            else {
                if (transport != null) transport.close();
                if (store != null) store.close();
            }
            throw new IllegalStateException("node " + config.nodeId() + " failed to start: " + e.getMessage(), e);
        }
    }

    /** Like {@link #start(NodeConfig, Map)} with a log store and transport of the caller's (tests). */
    public static EmbeddedNode start(NodeConfig config, LogStore store, Transport transport,
                                     Map<Integer, StateMachineFactory> factories) throws IOException {
        return start(config, store, transport, factories, checkpointConfig(config));
    }

    /**
     * Like {@link #start(NodeConfig, LogStore, Transport, Map)} with checkpoint settings of the
     * caller's (tests, benchmarks). Checks the data directory's identity ({@link NodeIdentityFile}; the
     * caller's transport does its own incarnation checks, if any).
     */
    public static EmbeddedNode start(NodeConfig config, LogStore store, Transport transport,
                                     Map<Integer, StateMachineFactory> factories, CheckpointConfig checkpoints) throws IOException {
        NodeIdentityFile identity = identity(config);
        EmbeddedNode node = new EmbeddedNode(config, identity.incarnation(), store, transport, factories, checkpoints);
        try {
            node.openStateMachines();
            node.engine.start();
        } catch (IOException | RuntimeException e) {
            node.engine.close();
            throw e;
        }
        return node;
    }

    /**
     * Checks (or, in bootstrap mode, creates) the data directory's identity and opens the record of
     * the peers' incarnations ({@code dataDir/peer-incarnations.properties}), forgetting those the
     * configuration says to. For callers that build the transport themselves.
     *
     * @throws IllegalStateException with the operator's message if the directory is refused
     */
    public static Incarnations incarnations(NodeConfig c) throws IOException {
        return incarnations(c, identity(c));
    }

    private static Incarnations incarnations(NodeConfig c, NodeIdentityFile id) throws IOException {
        return Incarnations.open(id.incarnation(), c.dataDir().resolve(Incarnations.FILE), c.forgetIncarnations());
    }

    /** Checks (or, in bootstrap and join mode, creates) the data directory's identity. */
    private static NodeIdentityFile identity(NodeConfig c) throws IOException {
        return NodeIdentityFile.open(c.dataDir(), c.clusterId(), c.nodeId(), c.startMode());
    }

    /** Checkpoint settings of a node: staging under {@code dataDir/checkpoint}. */
    public static CheckpointConfig checkpointConfig(NodeConfig c) {
        return CheckpointConfig.defaults(c.dataDir().resolve("checkpoint"));
    }

    private Path stateMachineDir(int id, int group) {
        return config.dataDir().resolve("statemachines").resolve(String.valueOf(id)).resolve("group-" + group);
    }

    /**
     * Restarts a state machine of one group to install a checkpoint: closes it through its factory
     * and opens it again; other groups' state machines keep running.
     */
    private final class FactoryLifecycle implements StateMachineLifecycle {
        @Override
        public void stop(int group, int id) throws IOException {
            for (Opened o : opened) {
                if (o.group != group || o.id != id) continue;
                opened.remove(o);
                factories.get(id).close(o.machine);
            }
        }

        @Override
        public void start(int group, int id) throws IOException {
            StateMachineFactory f = factories.get(id);
            if (f == null) throw new IOException("no factory for state machine " + id);
            Path dir = stateMachineDir(id, group);
            Files.createDirectories(dir);
            StateMachine machine = f.open(group, dir);
            opened.add(new Opened(group, id, machine));
            engine.register(group, id, "sm-" + id, machine);
        }
    }

    private void openStateMachines() throws IOException {
        for (Map.Entry<Integer, StateMachineFactory> f : new TreeMap<>(factories).entrySet()) {
            for (int g = 0; g < config.groupCount(); g++) {
                Path dir = stateMachineDir(f.getKey(), g);
                Files.createDirectories(dir);
                StateMachine machine = f.getValue().open(g, dir);
                opened.add(new Opened(g, f.getKey(), machine));
                engine.register(g, f.getKey(), "sm-" + f.getKey(), machine);
            }
        }
    }

    /** The node's API. */
    public PaxosNode node() {
        return engine;
    }

    /** The engine (checkpoint transfers, for status pages). */
    public Engine engine() {
        return engine;
    }

    /** The state machine opened for {@code (group, id)}, e.g. to read from it; a new object after a checkpoint install. */
    public StateMachine stateMachine(int group, int id) {
        return opened.stream().filter(o -> o.group == group && o.id == id).map(Opened::machine).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no state machine " + id + " in group " + group));
    }

    /**
     * Adds a state machine that this node did not open itself (the OSGi whiteboard does this for
     * plugin services) to some groups, as {@code version} (services with the same ID and other
     * versions may be registered side by side; the group's log decides which executes). Instances that need it wait until it is added. A group
     * where another service is in force with that ID refuses it until that one goes away (see
     * {@link Engine#register(List, int, String, StateMachine)}).
     *
     * @return one handle per group, to remove exactly these registrations with
     */
    public List<StateMachineRegistry.Registration> addStateMachine(List<Integer> groups, int id, String version,
                                                                   String name, StateMachine machine) {
        return engine.register(groups, id, version, name, machine);
    }

    /**
     * Removes a registration made by {@link #addStateMachine} (and no other with the same ID);
     * completes once no call to it runs any more, so that its owner may then close it.
     */
    public java.util.concurrent.CompletionStage<Void> removeStateMachine(StateMachineRegistry.Registration registration) {
        return engine.unregister(registration);
    }

    /** The log store (for its counters). */
    public LogStore store() {
        return store;
    }

    /** The configuration. */
    public NodeConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        engine.close();
        transport.close();
        for (Opened o : opened) {
            try {
                factories.get(o.id).close(o.machine);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "closing state machine {0} of group {1} failed: {2}", o.id, o.group, e.getMessage());
            }
        }
        opened.clear();
        store.close();
    }

    /**
     * The log store settings {@link #start(NodeConfig, Map)} uses (for callers that adjust them, e.g.
     * segment size), for a data directory that had its identity before this start.
     */
    public static LevelDbStoreConfig storeConfig(NodeConfig c) {
        return storeConfig(c, false);
    }

    /**
     * The log store settings for this start.
     *
     * @param identityCreated whether this start created the data directory's identity (it had none
     *     before {@link #incarnations}): a joining node creates its log only then
     */
    public static LevelDbStoreConfig storeConfig(NodeConfig c, boolean identityCreated) {
        LevelDbStoreConfig d = LevelDbStoreConfig.defaults(c.dataDir().resolve("log"));
        int valueMax = Math.min(64 << 20, c.engine().recordBytesNeeded());
        // the log is created only with a new identity; a member whose log vanished must not start empty
        // (a joining node whose log vanished after it was created is refused like a member: its peers
        // may already count its votes)
        boolean create = c.startMode() == NodeIdentityFile.StartMode.BOOTSTRAP
                || c.startMode() == NodeIdentityFile.StartMode.JOIN && identityCreated;
        return new LevelDbStoreConfig(d.dataDirectory(), create, c.syncPolicy(), valueMax, d.segmentBytes(),
                d.writeQueueRecordsMax(), Math.max(d.writeQueueBytesMax(), valueMax * 4L), d.batchBytesMax(),
                d.indexCacheBytes(), d.cleanerIntervalMillis());
    }

    /** The transport settings {@link #start(NodeConfig, Map)} uses (for callers that build the transport themselves). */
    public static NettyTransportConfig transportConfig(NodeConfig c) {
        Map<Integer, String> peers = new TreeMap<>();
        for (Member m : c.members()) {
            if (m.nodeId() != c.nodeId()) peers.put(m.nodeId(), hostPort(m));
        }
        // room for a catch-up reply of two full batches; the engine needs at least messageBytesNeeded()
        int frame = (int) Math.min(NettyTransportConfig.MAX_FRAME_BYTES_CAP, 2L * c.batchBytesMax() + (64 << 10));
        NettyTransportConfig t = NettyTransportConfig.of(c.nodeId(), c.clusterId(),
                        c.clusterSecret().getBytes(StandardCharsets.UTF_8), c.self().port(), peers)
                .withListen(c.listenHost(), c.self().port())
                .withMaxFrameBytes(frame)
                .withOutboundQueue(NettyTransportConfig.DEFAULT_OUTBOUND_QUEUE_MESSAGES_MAX,
                        Math.max(NettyTransportConfig.DEFAULT_OUTBOUND_QUEUE_BYTES_MAX, frame));
        if (c.tls() != null)
            t = t.withTls(new TlsStores(c.tls().keyStore(), c.tls().keyStorePassword(), c.tls().trustStore(),
                    c.tls().trustStorePassword()));
        return t;
    }

    private static String hostPort(Member m) {
        return m.host().contains(":") ? "[" + m.host() + "]:" + m.port() : m.host() + ":" + m.port();
    }
}
