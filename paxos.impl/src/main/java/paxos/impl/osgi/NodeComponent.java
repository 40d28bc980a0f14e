package paxos.impl.osgi;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.util.tracker.ServiceTracker;
import paxos.api.PaxosNode;
import paxos.api.spi.log.LogStore;
import paxos.api.spi.transport.Transport;
import paxos.api.spi.transport.TransportProperties;
import paxos.api.statemachine.StateMachine;
import paxos.impl.runtime.CheckpointConfig;
import paxos.impl.runtime.Engine;
import paxos.impl.runtime.EngineConfig;
import paxos.impl.runtime.NodeIdentity;
import paxos.impl.runtime.StateMachineRegistry;

/**
 * The Paxos engine of this framework, configured by the ConfigAdmin configuration {@value #PID}
 * (a form in the web console's Configuration page, thanks to Metatype), running on the
 * {@link LogStore} and {@link Transport} services (the LevelDB and Netty bundles register them,
 * each with a form of its own). The node's identity (node ID, cluster ID, members) comes from the
 * transport's service properties ({@link TransportProperties}): the transport is what
 * authenticates this node to its peers, so one copy of it can never disagree with the engine's.
 *
 * <p>Both references are static and mandatory: saving any of the three forms deactivates this
 * component first (closing the engine cleanly), then restarts the changed store or transport,
 * then activates the engine again; the JVM keeps running. An invalid configuration (unknown
 * member, port in use, unwritable directory, limits that do not fit together) makes activation
 * fail with a message naming the problem, logged here and shown on the console's Components
 * page; the framework keeps running.
 *
 * <p>While active, it registers the {@link PaxosNode} service and tracks {@link StateMachine}
 * services (the whiteboard): each is added to the groups named by its service properties and
 * removed when it goes away, after its last running call returned.
 */
@Component(configurationPid = NodeComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = NodeComponent.Config.class)
public final class NodeComponent {
    /** The configuration PID. */
    public static final String PID = "paxos.node";
    private static final System.Logger LOG = System.getLogger(NodeComponent.class.getName());

    /** The engine's settings; see {@link EngineConfig} for ranges. Identity is the transport's. */
    @ObjectClassDefinition(name = "Paxos node (engine)", description = "This framework's Paxos engine. Node ID, "
            + "members and cluster are the transport's settings (paxos.transport.netty), the log's are "
            + "paxos.storage.leveldb. Saving restarts the engine component; the framework keeps running.")
    public @interface Config {
        /** @return data directory */
        @AttributeDefinition(name = "Data directory", description = "Checkpoint staging and the identity marker. "
                + "Empty: <paxos.data.dir>/node", required = false)
        String dataDir() default "";

        /** @return groups */
        @AttributeDefinition(name = "Groups", min = "1", max = "1024")
        int groupCount() default 4;

        /** @return retention */
        @AttributeDefinition(name = "Hold log count", description = "Instances kept behind the lowest state machine checkpoint", min = "0")
        long holdLogCount() default 1_000_000;

        /** @return batch count */
        @AttributeDefinition(name = "Batch count max", min = "1", max = "65535")
        int batchCountMax() default 512;

        /** @return batch bytes */
        @AttributeDefinition(name = "Batch bytes max", description = "The log store must accept a batch plus 4 KiB, "
                + "the transport a batch plus 64 KiB", min = "1024")
        int batchBytesMax() default 4 << 20;

        /** @return window */
        @AttributeDefinition(name = "Pipeline window", description = "Instances in flight per group", min = "1", max = "1024")
        int windowMax() default 4;

        /** @return value limit */
        @AttributeDefinition(name = "Max value bytes", min = "1")
        int maxValueBytes() default 1 << 20;

        /** @return the rate limit of each checkpoint this node sends */
        @AttributeDefinition(name = "Checkpoint transfer bytes per second", description = "Rate limit of each checkpoint "
                + "transfer this node sends to a lagging peer, so catch-up does not starve the log traffic on the same "
                + "link and disk; per node. Default 200 MiB/s (in effect unlimited on most links); at least 65536",
                min = "65536")
        long checkpointTransferBytesPerSecond() default CHECKPOINT_TRANSFER_BYTES_PER_SECOND_DEFAULT;
        /** @return joining */
        @AttributeDefinition(name = "Joining", description = "Started to join a running cluster (--join): no vote in "
                + "any group until an operator adds this node (or replaces another by it); the members list is only "
                + "where to find the peers. Set by the launcher from startMode=join.")
        boolean joining() default false;
    }

    /** 200 MiB/s, the same as {@link CheckpointConfig#defaults}. */
    static final long CHECKPOINT_TRANSFER_BYTES_PER_SECOND_DEFAULT = 200L << 20;

    private final Engine engine;
    private final ServiceTracker<StateMachine, List<StateMachineRegistry.Registration>> tracker;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final BundleLifecycle lifecycle;
    /** The store and transport this node's metrics observe; told to stop on deactivate. */
    private final Map.Entry<LogStore, Transport> observed;
    private final NodeView view;

    /**
     * Validates the configuration against the store and transport and starts the engine.
     *
     * @throws IllegalArgumentException naming the bad setting; SCR then leaves the component inactive
     */
    @Activate
    public NodeComponent(BundleContext context, Config config,
                         @Reference(name = "store") LogStore store,
                         @Reference(name = "transport", service = Transport.class)
                         Map.Entry<Map<String, Object>, Transport> transport) {
        EngineConfig engineConfig;
        try {
            engineConfig = toEngineConfig(context, config, transport.getKey());
            checkLimits(engineConfig, store, transport.getValue());
            Files.createDirectories(engineConfig.dataDir());
            String own = NodeIdentity.check(engineConfig.dataDir(), engineConfig.clusterId(), engineConfig.nodeId());
            engineConfig = withIncarnation(engineConfig, own);
        } catch (IOException | RuntimeException e) {
            throw rejected(e);
        }
        // checkpoints are installed by restarting the state machine's bundle, never the process
        this.lifecycle = new BundleLifecycle(context);
        Engine started = null;
        try {
            started = new Engine(engineConfig, store, transport.getValue(), toCheckpointConfig(engineConfig, config));
            started.lifecycle(lifecycle);
            started.start();
        } catch (RuntimeException e) {
            if (started != null) started.close();
            lifecycle.close();
            throw rejected(e);
        }
        this.engine = started;
        this.tracker = new ServiceTracker<>(context, StateMachine.class, null) {
            @Override
            public List<StateMachineRegistry.Registration> addingService(ServiceReference<StateMachine> ref) {
                return addMachine(context, ref);
            }

            @Override
            public void removedService(ServiceReference<StateMachine> ref, List<StateMachineRegistry.Registration> regs) {
                removeMachine(context, ref, regs);
            }
        };
        tracker.open();
        NodeView view = new NodeView(engine, store, transport.getValue()::peers, context);
        this.observed = Map.entry(store, transport.getValue());
        this.view = view;
        store.observeSyncs(view.metrics());
        transport.getValue().observeTraffic(view.metrics());
        registrations.add(context.registerService(PaxosNode.class, view.api(),
                props("service.description", "Paxos node " + engineConfig.nodeId())));
        Hashtable<String, Object> cmd = props("osgi.command.scope", "paxos");
        cmd.put("osgi.command.function", new String[] {"status", "propose", "activate", "command", "members", "addmember",
                "memberrole", "replacemember", "removemember"});
        registrations.add(context.registerService(PaxosCommands.class, new PaxosCommands(view.api(), engine::resultEncoder), cmd));
        registrations.addAll(Web.register(context, view));
    }

    // SCR reports an activation failure only to the OSGi Log Service (which prints nothing) and the
    // console's components page: say it where the operator reads the node's output too
    private static RuntimeException rejected(Exception e) {
        LOG.log(Level.ERROR, "paxos.node configuration rejected, the node is not started: {0}", e.getMessage());
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }

    /** Stops tracking state machines and closes the node; callers waiting for proposals fail. */
    @Deactivate
    public void deactivate() {
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping
            }
        }
        tracker.close();
        view.close();
        observed.getKey().observeSyncs(null);
        observed.getValue().observeTraffic(null);
        engine.close();
        lifecycle.close();
        // the store and transport close after this, when SCR releases them (static references)
        LOG.log(Level.INFO, "node {0} stopped", engine.nodeId());
    }

    private List<StateMachineRegistry.Registration> addMachine(BundleContext context, ServiceReference<StateMachine> ref) {
        Object idProp = ref.getProperty(paxos.api.statemachine.StateMachineProperties.STATE_MACHINE_ID);
        if (!(idProp instanceof Number id) || id.intValue() < 1 || id.intValue() > 65_535) {
            LOG.log(Level.WARNING, "ignoring state machine service {0}: property {1} must be an integer 1..65535",
                    ref.getProperty("service.id"), paxos.api.statemachine.StateMachineProperties.STATE_MACHINE_ID);
            return null;
        }
        StateMachine machine = context.getService(ref);
        if (machine == null) return null;
        List<Integer> groups = groupsOf(ref.getProperty(paxos.api.statemachine.StateMachineProperties.GROUPS),
                engine.config().groupCount());
        Object nameProp = ref.getProperty(paxos.api.statemachine.StateMachineProperties.NAME);
        String name = nameProp == null ? ref.getBundle().getSymbolicName() : nameProp.toString();
        Object versionProp = ref.getProperty(paxos.api.statemachine.StateMachineProperties.VERSION);
        String version = versionProp == null ? ref.getBundle().getVersion().toString() : versionProp.toString().trim();
        // keyed by this service: its removal removes its own registrations, never another's with the same ID
        try {
            return engine.register(groups, id.intValue(), version, name, machine);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "ignoring state machine service {0}: {1}", ref.getProperty("service.id"), e.getMessage());
            context.ungetService(ref);
            return null;
        }
    }

    private void removeMachine(BundleContext context, ServiceReference<StateMachine> ref,
                               List<StateMachineRegistry.Registration> regs) {
        for (StateMachineRegistry.Registration r : regs) {
            try {
                // the bundle deactivates its component after this returns: no call may still be running
                engine.unregister(r).toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "{0} did not stop executing in time: {1}", r, e.toString());
            }
        }
        context.ungetService(ref);
    }

    /** The groups a state machine service names; all groups when the property is absent or empty. */
    static List<Integer> groupsOf(Object property, int groupCount) {
        List<Integer> out = new ArrayList<>();
        if (property instanceof Number n) out.add(n.intValue());
        else if (property instanceof int[] a) for (int g : a) out.add(g);
        else if (property instanceof Object[] a) for (Object o : a) out.add(Integer.parseInt(o.toString().trim()));
        else if (property instanceof String s && !s.isBlank()) for (String p : s.split(",")) out.add(Integer.parseInt(p.trim()));
        else if (property instanceof java.util.Collection<?> c) for (Object o : c) out.add(Integer.parseInt(o.toString().trim()));
        if (out.isEmpty()) for (int g = 0; g < groupCount; g++) out.add(g);
        out.removeIf(g -> {
            boolean bad = g < 0 || g >= groupCount;
            if (bad) LOG.log(Level.WARNING, "state machine names group {0}, but this node has groups 0..{1}", g, groupCount - 1);
            return bad;
        });
        return out;
    }

    /** The engine's settings: identity from the transport's service properties, the rest from the form. */
    static EngineConfig toEngineConfig(BundleContext context, Config c, Map<String, Object> transportProperties) {
        Object nodeId = transportProperties.get(TransportProperties.NODE_ID);
        Object clusterId = transportProperties.get(TransportProperties.CLUSTER_ID);
        Object members = transportProperties.get(TransportProperties.MEMBERS);
        if (nodeId == null || clusterId == null || members == null)
            throw new IllegalArgumentException("the Transport service lacks the properties " + TransportProperties.NODE_ID
                    + ", " + TransportProperties.CLUSTER_ID + " and " + TransportProperties.MEMBERS + " (got " + nodeId
                    + ", " + clusterId + ", " + members + ")");
        int id;
        try {
            id = Integer.parseInt(nodeId.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the Transport service's " + TransportProperties.NODE_ID
                    + " is not a number: " + nodeId);
        }
        Path dataDir = !c.dataDir().isBlank() ? Path.of(c.dataDir()) : defaultDataDir(context);
        Object incarnation = transportProperties.get(TransportProperties.INCARNATION);
        return EngineConfig.builder(id, members.toString()).clusterId(clusterId.toString()).dataDir(dataDir)
                .incarnation(incarnation == null ? null : incarnation.toString())
                .groupCount(c.groupCount()).holdLogCount(c.holdLogCount()).batchCountMax(c.batchCountMax())
                .batchBytesMax(c.batchBytesMax()).windowMax(c.windowMax()).maxValueBytes(c.maxValueBytes()).joining(c.joining()).build();
    }

    /**
     * The engine's settings with the data directory's incarnation ({@code own}, from its identity
     * marker): the engine votes only where a membership names this node as that incarnation. A
     * transport that presents another one to the peers is refused: the peers would count votes the
     * engine does not cast as this directory's.
     */
    static EngineConfig withIncarnation(EngineConfig c, String own) {
        if (own == null) return c;
        EngineConfig mine = c.withIncarnation(own);
        if (c.incarnation() != null && !c.incarnation().equals(mine.incarnation()))
            throw new IllegalArgumentException("the transport presents incarnation " + c.incarnation() + " but the data directory "
                    + c.dataDir() + " has incarnation " + mine.incarnation() + ": set the transport's incarnation "
                    + "(paxos.transport.netty) to the data directory's, or point dataDir at this node's directory");
        return mine;
    }

    /** Checkpoint catch-up settings: the defaults with this node's transfer rate limit (rejected below 64 KiB/s, naming the key). */
    static CheckpointConfig toCheckpointConfig(EngineConfig engineConfig, Config c) {
        long rate = c.checkpointTransferBytesPerSecond();
        if (rate < 65_536)
            throw new IllegalArgumentException("checkpointTransferBytesPerSecond must be >= 65536: " + rate);
        return CheckpointConfig.defaults(engineConfig.dataDir().resolve("checkpoint")).withBytesPerSecondMax(rate);
    }

    private static Path defaultDataDir(BundleContext context) {
        String base = context.getProperty("paxos.data.dir");
        return Path.of(base == null ? "data" : base, "node");
    }

    /** The store and transport must carry what the engine writes and sends; says which form to change. */
    static void checkLimits(EngineConfig c, LogStore store, Transport transport) {
        if (store.maxValueBytes() < c.recordBytesNeeded())
            throw new IllegalArgumentException("the log store takes records of at most " + store.maxValueBytes()
                    + " bytes, the engine needs " + c.recordBytesNeeded() + " for batchBytesMax " + c.batchBytesMax()
                    + ": raise maxValueBytes of the store (paxos.storage.leveldb) or lower batchBytesMax (paxos.node)");
        if (transport.maxMessageBytes() < c.messageBytesNeeded())
            throw new IllegalArgumentException("the transport takes messages of at most " + transport.maxMessageBytes()
                    + " bytes, the engine needs " + c.messageBytesNeeded() + " for batchBytesMax " + c.batchBytesMax()
                    + ": raise maxFrameBytes of the transport (paxos.transport.netty) or lower batchBytesMax (paxos.node)");
    }

    private static Hashtable<String, Object> props(String key, Object value) {
        Hashtable<String, Object> t = new Hashtable<>();
        t.put(key, value);
        return t;
    }
}
