package paxos.plugins.kv.internal;

import java.io.IOException;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import paxos.api.PaxosNode;
import paxos.api.statemachine.StateMachine;
import paxos.api.statemachine.StateMachineService;
import paxos.plugin.support.PluginRegistrations;
import paxos.plugin.support.store.DelegatingStateMachine;

/**
 * The KV plugin in OSGi: registers the {@link KvStateMachine} as a whiteboard state machine of
 * every group, and, while a {@link PaxosNode} is available, the {@code /kv/*} REST servlet and
 * the {@code kv:get} / {@code kv:put} Gogo commands. LEASE reads that reach a node which is not
 * the master go to the master's HTTP address (framework property {@code paxos.http.members}).
 * Data lives outside the bundle's storage area
 * (which uninstall deletes), so undeploy and redeploy resume where the store stopped.
 */
@Component(service = StateMachine.class, configurationPid = KvComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@StateMachineService(id = KvComponent.DEFAULT_ID, name = "kv")
@Designate(ocd = KvComponent.Config.class)
public final class KvComponent extends DelegatingStateMachine<KvStateMachine> {
    /** The configuration PID. */
    public static final String PID = "paxos.plugin.kv";
    /** The KV's state machine ID unless configured otherwise. */
    public static final int DEFAULT_ID = 1;

    /** Settings of the KV plugin. */
    @ObjectClassDefinition(name = "Paxos KV plugin", description = "Replicated key-value store served at /kv/{key}")
    public @interface Config {
        /** @return where the KV's LevelDB directories live; empty means {paxos.data.dir}/statemachines/kv */
        @AttributeDefinition(name = "Data directory", description = "Empty: <paxos.data.dir>/statemachines/kv", required = false)
        String dataDir() default "";

        /** @return how long a REST request waits for the cluster */
        @AttributeDefinition(name = "Request timeout (ms)", min = "100", max = "600000")
        long requestTimeoutMillis() default 10_000;
    }

    private final BundleContext context;
    private final KvStateMachine kv;
    private final long timeoutMillis;
    private final PluginRegistrations frontEnds;

    /** Opens the store under the configured directory. */
    @Activate
    public KvComponent(BundleContext context, Config config) {
        this(context, new KvStateMachine(dataDir(context, config)), config.requestTimeoutMillis());
    }

    private KvComponent(BundleContext context, KvStateMachine kv, long timeoutMillis) {
        super(kv);
        this.context = context;
        this.kv = kv;
        this.timeoutMillis = timeoutMillis;
        this.frontEnds = new PluginRegistrations(context);
    }

    /** Registers the REST servlet and commands for the node that appeared. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindNode(PaxosNode node) {
        unregister();
        KvHttp http = new KvHttp(node, kv, DEFAULT_ID, timeoutMillis);
        try {
            http.forwardLeaseReads(new HttpLeaseForwarder(HttpLeaseForwarder.parseMembers(
                    context.getProperty(HttpLeaseForwarder.MEMBERS_PROPERTY)), node.nodeId(), timeoutMillis));
        } catch (IllegalArgumentException e) {
            System.getLogger(KvComponent.class.getName()).log(System.Logger.Level.WARNING,
                    "LEASE reads are not forwarded to the master: {0}", e.getMessage());
        }
        frontEnds.servlet(new KvServlet(http), "paxos-kv", "/kv/*");
        frontEnds.gogo(new KvGogoCommands(http), "kv", "get", "put", "delete");
    }

    synchronized void unbindNode(PaxosNode node) {
        unregister();
    }

    /** Closes the store; the engine has already stopped calling execute (service unregistered first). */
    @Deactivate
    synchronized void deactivate() throws IOException {
        unregister();
        kv.close();
    }

    private void unregister() {
        frontEnds.unregisterAll();
    }

    private static Path dataDir(BundleContext context, Config config) {
        return PluginRegistrations.dataDirectory(context, config.dataDir(), "kv");
    }
}
