package paxos.testplugins.counter;

import jakarta.servlet.Servlet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import paxos.api.PaxosNode;
import paxos.api.statemachine.ExecutionBatch;
import paxos.api.statemachine.ExecutionResults;
import paxos.api.statemachine.StateMachine;

/**
 * The counter as a whiteboard {@link StateMachine} of every group, plus the {@code /counter/*}
 * servlet while a {@link PaxosNode} is bound. Each version's DS component extends it and only
 * chooses its {@link Dialect}; its bundle reads the DS annotations here with
 * {@code -dsannotations-options: inherit}.
 */
public abstract class CounterComponent implements StateMachine {
    private final BundleContext context;
    private final CounterStateMachine counter;
    private ServiceRegistration<?> servlet;

    /** Keeps the state in {@code <paxos.data.dir>/statemachines/counter}, shared by every version. */
    protected CounterComponent(BundleContext context, Dialect dialect) {
        this.context = context;
        String base = context.getProperty("paxos.data.dir");
        this.counter = new CounterStateMachine(dialect,
                Path.of(base == null ? "data" : base, "statemachines", "counter"));
    }

    @Override
    public final void execute(ExecutionBatch batch, ExecutionResults results) throws IOException {
        counter.execute(batch, results);
    }

    @Override
    public final long checkpointInstance(int group) {
        return counter.checkpointInstance(group);
    }

    /** Registers {@code /counter/*} for the node that appeared. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, unbind = "unserve")
    protected final synchronized void serve(PaxosNode node) {
        stopServing();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.http.whiteboard.servlet.pattern", "/counter/*");
        props.put("osgi.http.whiteboard.servlet.name", "paxos-test-counter");
        servlet = context.registerService(Servlet.class, new CounterServlet(node, counter), props);
    }

    /** The node went away. */
    protected final void unserve(PaxosNode node) {
        stopServing();
    }

    /** Unregisters the servlet (node gone, or the component deactivates). */
    @Deactivate
    protected final synchronized void stopServing() {
        if (servlet != null) servlet.unregister();
        servlet = null;
    }
}
