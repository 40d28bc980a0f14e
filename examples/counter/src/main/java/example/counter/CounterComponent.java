package example.counter;

import java.io.IOException;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import paxos.api.PaxosNode;
import paxos.api.statemachine.EncodedResult;
import paxos.api.statemachine.ResultEncoder;
import paxos.api.statemachine.StateMachine;
import paxos.api.statemachine.StateMachineService;
import paxos.plugin.support.PluginRegistrations;
import paxos.plugin.support.store.DelegatingStateMachine;

/**
 * The counter in OSGi: registers itself as state machine {@value #ID} of every group and, while a
 * {@link PaxosNode} is available, the REST resource {@code /counter/{group}}. Data lives in
 * {@code <paxos.data.dir>/statemachines/example-counter}, outside the bundle's storage area, so an
 * update or redeploy resumes from it.
 */
@Component(service = StateMachine.class)
@StateMachineService(id = CounterComponent.ID, name = "example-counter")
public final class CounterComponent extends DelegatingStateMachine<Counter> implements ResultEncoder {
    /** The counter's state machine ID (unique in the cluster: KV is 1, config 2). */
    public static final int ID = 4300;

    private final Counter counter;
    private final PluginRegistrations frontEnds;

    @Activate
    public CounterComponent(BundleContext context) {
        this(new Counter(PluginRegistrations.dataDirectory(context, null, "example-counter")), context);
    }

    private CounterComponent(Counter counter, BundleContext context) {
        super(counter);
        this.counter = counter;
        this.frontEnds = new PluginRegistrations(context);
    }

    @Override
    public EncodedResult encode(Object result) {
        return counter.encode(result);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindNode(PaxosNode node) {
        frontEnds.unregisterAll();
        frontEnds.servlet(new CounterServlet(node, counter, 10_000), "example-counter", "/counter/*");
    }

    synchronized void unbindNode(PaxosNode node) {
        frontEnds.unregisterAll();
    }

    /** The engine stopped calling execute before this (the service is unregistered first). */
    @Deactivate
    synchronized void deactivate() throws IOException {
        frontEnds.unregisterAll();
        counter.close();
    }
}
