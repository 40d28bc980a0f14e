package paxos.plugins.config.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import paxos.api.PaxosNode;
import paxos.api.statemachine.StateMachine;
import paxos.api.statemachine.StateMachineService;
import paxos.plugin.support.PluginRegistrations;
import paxos.plugin.support.store.DelegatingStateMachine;
import paxos.plugins.config.ConfigCommand;

/**
 * The config store plugin in OSGi: registers the {@link ConfigStateMachine} as the whiteboard
 * state machine {@link ConfigCommand#STATE_MACHINE_ID} of group 0; while a
 * {@link ConfigurationAdmin} is available, runs the {@link ConfigBridge} that applies the store to
 * it; while a {@link PaxosNode} is available, registers the {@code /config} REST servlet and the
 * {@code config:*} Gogo commands. Every reference is optional and dynamic, so the state machine
 * keeps following group 0 whatever else comes and goes. Data lives outside the bundle's storage
 * area (which uninstall deletes), so undeploy and redeploy resume where the store stopped.
 *
 * <p>Immediate, not delayed: the bridge must reconcile ConfigAdmin when the bundle starts, before
 * (and even without) the engine asking for the state machine service.
 */
@Component(service = StateMachine.class, configurationPid = ConfigComponent.PID, immediate = true,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@StateMachineService(id = ConfigCommand.STATE_MACHINE_ID, groups = ConfigCommand.GROUP, name = "config")
@Designate(ocd = ConfigComponent.Config.class)
public final class ConfigComponent extends DelegatingStateMachine<ConfigStateMachine> {
    /** The configuration PID. */
    public static final String PID = "paxos.plugin.config";

    /** Settings of the config plugin. */
    @ObjectClassDefinition(name = "Paxos config store plugin",
            description = "Replicated ConfigAdmin configurations served at /config/{pid}")
    public @interface Config {
        /** @return where the store's LevelDB directories live; empty means {paxos.data.dir}/statemachines/config */
        @AttributeDefinition(name = "Data directory", description = "Empty: <paxos.data.dir>/statemachines/config", required = false)
        String dataDir() default "";

        /** @return how long a REST request or shell command waits for the cluster */
        @AttributeDefinition(name = "Request timeout (ms)", min = "100", max = "600000")
        long requestTimeoutMillis() default 10_000;
    }

    private final BundleContext context;
    private final ConfigStateMachine store;
    private final OsgiPidCatalog catalog;
    private final long timeoutMillis;
    private volatile ConfigBridge bridge;
    private ServiceRegistration<?> listener;
    private final PluginRegistrations frontEnds;

    /** Opens the store under the configured directory. */
    @Activate
    public ConfigComponent(BundleContext context, Config config) {
        this(context, new ConfigStateMachine(dataDir(context, config)), config.requestTimeoutMillis());
    }

    private ConfigComponent(BundleContext context, ConfigStateMachine store, long timeoutMillis) {
        super(store);
        if (timeoutMillis < 100 || timeoutMillis > 600_000)
            throw new IllegalArgumentException("requestTimeoutMillis must be in 100..600000: " + timeoutMillis);
        this.context = context;
        this.store = store;
        this.catalog = new OsgiPidCatalog(context);
        this.timeoutMillis = timeoutMillis;
        this.frontEnds = new PluginRegistrations(context);
        store.setChangeListener(this::executed);
    }

    private void executed(int group, List<String> pids) {
        ConfigBridge b = bridge;
        if (b != null && group == ConfigCommand.GROUP) b.executed(pids);
    }

    /** Starts the bridge (with a full reconcile) for the ConfigurationAdmin that appeared. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindConfigAdmin(ConfigurationAdmin configAdmin) {
        stopBridge();
        catalog.configAdmin = configAdmin;
        ConfigBridge b = new ConfigBridge(configAdmin, store);
        bridge = b;
        ConfigurationListener l = event -> {
            if (event.getFactoryPid() == null && event.getType() != ConfigurationEvent.CM_LOCATION_CHANGED)
                b.localChange(event.getPid());
        };
        listener = context.registerService(ConfigurationListener.class, l, null);
        b.start();
    }

    synchronized void unbindConfigAdmin(ConfigurationAdmin configAdmin) {
        stopBridge();
        catalog.configAdmin = null;
    }

    /** Lets the unknown-PID check consult Metatype. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindMetaType(MetaTypeService metaType) {
        catalog.metaType = metaType;
    }

    void unbindMetaType(MetaTypeService metaType) {
        if (catalog.metaType == metaType) catalog.metaType = null;
    }

    /** Registers the REST servlet and commands for the node that appeared. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindNode(PaxosNode node) {
        unregisterFrontEnds();
        ConfigHttp http = new ConfigHttp(node, store, catalog, timeoutMillis);
        frontEnds.servlet(new ConfigServlet(http), "paxos-config", "/config", "/config/*");
        frontEnds.gogo(new ConfigGogoCommands(http), "config", "get", "put", "delete", "list");
    }

    synchronized void unbindNode(PaxosNode node) {
        unregisterFrontEnds();
    }

    /** Stops the bridge and closes the store; the engine has already stopped calling execute (service unregistered first). */
    @Deactivate
    synchronized void deactivate() throws IOException {
        unregisterFrontEnds();
        stopBridge();
        store.close();
    }

    private void stopBridge() {
        unregister(listener);
        listener = null;
        ConfigBridge b = bridge;
        bridge = null;
        if (b != null) b.close();
    }

    private void unregisterFrontEnds() {
        frontEnds.unregisterAll();
    }

    private static void unregister(ServiceRegistration<?> registration) {
        if (registration == null) return;
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            // already gone with the stopping bundle
        }
    }

    private static Path dataDir(BundleContext context, Config config) {
        return PluginRegistrations.dataDirectory(context, config.dataDir(), "config");
    }
}
