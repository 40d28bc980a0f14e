package paxos.impl.osgi;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import paxos.api.statemachine.StateMachine;
import paxos.api.statemachine.StateMachineProperties;
import paxos.impl.runtime.StateMachineLifecycle;

/**
 * Restarts a state machine in OSGi by stopping and starting the bundle that registered its
 * service (transiently: the bundle's persistent start setting is untouched). The component
 * deactivates, its service goes away (the whiteboard removes it from the engine), the checkpoint
 * is installed, the bundle starts, the component activates and registers again.
 *
 * <p>Threads: the engine calls it on a checkpoint thread; the bundle operations run on a thread
 * of this class, never on a framework thread (stopping a bundle from a thread it serves deadlocks).
 * A bundle serving several groups that install at once is stopped by the first and started by the
 * last (reference count), so no group starts it while another still installs into its files;
 * meanwhile the other groups of that bundle wait (their status says {@code WAITING}).
 */
final class BundleLifecycle implements StateMachineLifecycle {
    private static final long BUNDLE_OP_TIMEOUT_SECONDS = 60;

    private final BundleContext context;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "paxos-bundle-restart");
        t.setDaemon(true);
        return t;
    });
    private final Map<Long, Integer> stopped = new HashMap<>();
    private final Map<String, Bundle> bundles = new HashMap<>();

    BundleLifecycle(BundleContext context) {
        this.context = context;
    }

    @Override
    public void stop(int group, int id) throws Exception {
        Bundle bundle = bundleOf(id);
        if (bundle.getBundleId() == context.getBundle().getBundleId())
            throw new IllegalStateException("state machine " + id + " is registered by the engine's own bundle; it cannot be restarted");
        boolean first;
        synchronized (this) {
            bundles.put(group + "/" + id, bundle);
            first = stopped.merge(bundle.getBundleId(), 1, Integer::sum) == 1;
        }
        if (first) run(() -> bundle.stop(Bundle.STOP_TRANSIENT));
    }

    @Override
    public void start(int group, int id) throws Exception {
        Bundle bundle;
        boolean last;
        synchronized (this) {
            bundle = bundles.remove(group + "/" + id);
            if (bundle == null) throw new IllegalStateException("state machine " + id + " of group " + group + " was not stopped here");
            last = stopped.merge(bundle.getBundleId(), -1, Integer::sum) == 0;
            if (last) stopped.remove(bundle.getBundleId());
        }
        if (last) run(() -> bundle.start(Bundle.START_TRANSIENT));
    }

    private interface BundleOp {
        void run() throws Exception;
    }

    private void run(BundleOp op) throws Exception {
        Future<?> f = thread.submit(() -> {
            op.run();
            return null;
        });
        f.get(BUNDLE_OP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private Bundle bundleOf(int id) throws InvalidSyntaxException {
        ServiceReference<?>[] refs = context.getServiceReferences(StateMachine.class.getName(),
                "(" + StateMachineProperties.STATE_MACHINE_ID + "=" + id + ")");
        if (refs == null || refs.length == 0) throw new IllegalStateException("no state machine service with ID " + id);
        return refs[0].getBundle();
    }

    void close() {
        thread.shutdownNow();
    }
}
