package paxos.impl.osgi;

import java.lang.System.Logger.Level;
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
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.osgi.util.tracker.ServiceTracker;
import paxos.api.PaxosNode;
import paxos.api.spi.log.SyncPolicy;
import paxos.api.statemachine.StateMachine;
import paxos.impl.runtime.StateMachineRegistry;
import paxos.node.EmbeddedNode;
import paxos.node.NodeConfig;

/**
 * The Paxos node of this framework, configured by the ConfigAdmin configuration {@value #PID}
 * (a form in the web console's Configuration page, thanks to Metatype). Saving a change
 * deactivates the component (closing the node cleanly) and activates it again with the new
 * values; the JVM keeps running. An invalid configuration (unknown member, port in use,
 * unwritable directory) makes activation fail with a message naming the problem, which SCR logs
 * and the web console's Components page shows; the framework keeps running.
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

    /** The node's settings; see {@link NodeConfig} for ranges. */
    @ObjectClassDefinition(name = "Paxos node", description = "This framework's node of a Paxos cluster. "
            + "Saving restarts the node component; the framework keeps running.")
    public @interface Config {
        /** @return this node */
        @AttributeDefinition(name = "Node ID", description = "1..65535; must appear in Members", min = "1", max = "65535")
        int nodeId();

        /** @return every member */
        @AttributeDefinition(name = "Members", description = "id@host:port,... for every node, this one included")
        String members();

        /** @return cluster name */
        @AttributeDefinition(name = "Cluster ID", description = "Nodes of another cluster are refused")
        String clusterId() default "paxos";

        /** @return shared secret */
        @AttributeDefinition(name = "Cluster secret", type = AttributeType.PASSWORD,
                description = "Shared by every node; at least 16 characters")
        String clusterSecret();

        /** @return listen address */
        @AttributeDefinition(name = "Listen address", description = "The Paxos port binds here only")
        String listenHost() default "127.0.0.1";

        /** @return data directory */
        @AttributeDefinition(name = "Data directory", description = "Empty: <paxos.data.dir>/node", required = false)
        String dataDir() default "";

        /** @return groups */
        @AttributeDefinition(name = "Groups", min = "1", max = "1024")
        int groupCount() default 4;

        /** @return retention */
        @AttributeDefinition(name = "Hold log count", description = "Instances kept behind the lowest state machine checkpoint", min = "0")
        long holdLogCount() default 1_000_000;

        /** @return sync policy */
        @AttributeDefinition(name = "Sync policy", options = {
                @Option(label = "SYNC: group commit, durable (default)", value = "SYNC"),
                @Option(label = "NONE: no fsync, tests and benchmarks only", value = "NONE")})
        String syncPolicy() default "SYNC";

        /** @return batch count */
        @AttributeDefinition(name = "Batch count max", min = "1", max = "65535")
        int batchCountMax() default 512;

        /** @return batch bytes */
        @AttributeDefinition(name = "Batch bytes max", min = "1024")
        int batchBytesMax() default 4 << 20;

        /** @return window */
        @AttributeDefinition(name = "Pipeline window", description = "Instances in flight per group", min = "1", max = "1024")
        int windowMax() default 4;

        /** @return value limit */
        @AttributeDefinition(name = "Max value bytes", min = "1")
        int maxValueBytes() default 1 << 20;

        /** @return TLS key store */
        @AttributeDefinition(name = "TLS key store", description = "Empty: plain TCP (still authenticated)", required = false)
        String tlsKeyStore() default "";

        /** @return its password */
        @AttributeDefinition(name = "TLS key store password", type = AttributeType.PASSWORD, required = false)
        String tlsKeyStorePassword() default "";

        /** @return TLS trust store */
        @AttributeDefinition(name = "TLS trust store", required = false)
        String tlsTrustStore() default "";

        /** @return its password */
        @AttributeDefinition(name = "TLS trust store password", type = AttributeType.PASSWORD, required = false)
        String tlsTrustStorePassword() default "";
    }

    private final EmbeddedNode node;
    private final ServiceTracker<StateMachine, List<StateMachineRegistry.Registration>> tracker;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final BundleLifecycle lifecycle;

    /**
     * Validates the configuration and starts the node.
     *
     * @throws IllegalArgumentException naming the bad setting; SCR then leaves the component inactive
     */
    @Activate
    public NodeComponent(BundleContext context, Config config) {
        try {
            this.node = EmbeddedNode.start(toNodeConfig(context, config), Map.of());
        } catch (RuntimeException e) {
            // SCR reports the failure only to the OSGi Log Service (which prints nothing) and the
            // console's components page: say it where the operator reads the node's output too
            LOG.log(Level.ERROR, "paxos.node configuration rejected, the node is not started: {0}", e.getMessage());
            throw e;
        }
        // checkpoints are installed by restarting the state machine's bundle, never the process
        this.lifecycle = new BundleLifecycle(context);
        node.engine().lifecycle(lifecycle);
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
        PaxosNode api = node.node();
        registrations.add(context.registerService(PaxosNode.class, api, props("service.description", "Paxos node " + config.nodeId())));
        Hashtable<String, Object> cmd = props("osgi.command.scope", "paxos");
        cmd.put("osgi.command.function", new String[] {"status", "propose", "activate"});
        registrations.add(context.registerService(PaxosCommands.class, new PaxosCommands(api), cmd));
        registrations.addAll(Web.register(context, new NodeView(node, context)));
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
        node.close();
        lifecycle.close();
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
                node.config().groupCount());
        Object nameProp = ref.getProperty(paxos.api.statemachine.StateMachineProperties.NAME);
        String name = nameProp == null ? ref.getBundle().getSymbolicName() : nameProp.toString();
        Object versionProp = ref.getProperty(paxos.api.statemachine.StateMachineProperties.VERSION);
        String version = versionProp == null ? ref.getBundle().getVersion().toString() : versionProp.toString().trim();
        // keyed by this service: its removal removes its own registrations, never another's with the same ID
        try {
            return node.addStateMachine(groups, id.intValue(), version, name, machine);
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
                node.removeStateMachine(r).toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
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

    static NodeConfig toNodeConfig(BundleContext context, Config c) {
        String base = context.getProperty("paxos.data.dir");
        Path dataDir = !c.dataDir().isBlank() ? Path.of(c.dataDir()) : Path.of(base == null ? "data" : base, "node");
        NodeConfig.Builder b = NodeConfig.builder(c.nodeId(), c.members())
                .clusterId(c.clusterId()).clusterSecret(c.clusterSecret()).listenHost(c.listenHost()).dataDir(dataDir)
                .groupCount(c.groupCount()).holdLogCount(c.holdLogCount()).batchCountMax(c.batchCountMax())
                .batchBytesMax(c.batchBytesMax()).windowMax(c.windowMax()).maxValueBytes(c.maxValueBytes());
        try {
            b.syncPolicy(SyncPolicy.valueOf(c.syncPolicy().trim().toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("syncPolicy must be SYNC or NONE: " + c.syncPolicy());
        }
        if (!c.tlsKeyStore().isBlank())
            b.tls(new NodeConfig.Tls(Path.of(c.tlsKeyStore()), c.tlsKeyStorePassword(), Path.of(c.tlsTrustStore()),
                    c.tlsTrustStorePassword()));
        return b.build();
    }

    private static Hashtable<String, Object> props(String key, Object value) {
        Hashtable<String, Object> t = new Hashtable<>();
        t.put(key, value);
        return t;
    }
}
