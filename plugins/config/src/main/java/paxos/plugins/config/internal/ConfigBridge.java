package paxos.plugins.config.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import paxos.plugin.support.http.RateLimitedLog;
import paxos.plugins.config.ConfigCommand;
import paxos.plugins.config.ConfigEntry;
import paxos.plugins.config.ConfigProperties;

/**
 * Applies the replicated store to the local OSGi ConfigurationAdmin, off the execution thread.
 *
 * <p><b>What it writes.</b> For each stored PID, a configuration
 * ({@code getConfiguration(pid, "?")}) with the stored properties plus
 * {@link ConfigProperties#VERSION_PROPERTY} = the store version. A PID deleted from the store has
 * its configuration deleted.
 *
 * <p><b>Order and staleness.</b> {@link #executed} queues the changed PIDs in execution order;
 * one thread of its own applies them. A PID is queued at most once: the task applies the PID's
 * <em>current</em> stored state, so intermediate versions are skipped, never applied after a
 * newer one. The queue is bounded ({@link #PENDING_MAX}); beyond it the bridge falls back to one
 * full reconcile, so nothing is lost.
 *
 * <p><b>Reconcile.</b> {@link #start} applies every stored entry and deletes configurations that
 * carry the version marker but whose PID is no longer stored (deleted while this node was down).
 *
 * <p><b>Conflicts: the replicated store wins.</b> A local edit of a stored PID (web console,
 * another bundle) that makes the configuration differ from the store is overwritten with the
 * stored properties, and one WARNING line names the PID (rate-limited). Local edits of PIDs the
 * store does not hold are left alone. A local delete of a stored PID is undone.
 *
 * <p>Threads: {@link #executed} is called on the group's execution thread and
 * {@link #localChange} on ConfigAdmin's event thread; both only queue and never block. ConfigAdmin
 * failures are logged (rate-limited) and the PID is left until the next reconcile.
 */
final class ConfigBridge implements AutoCloseable {
    /** Most PIDs queued before the bridge falls back to a full reconcile. */
    static final int PENDING_MAX = 20_000;
    private static final System.Logger LOG = System.getLogger(ConfigBridge.class.getName());

    private final ConfigurationAdmin configAdmin;
    private final ConfigStateMachine store;
    private final ExecutorService executor;
    private final RateLimitedLog conflicts = new RateLimitedLog(LOG, 1_000);
    private final RateLimitedLog failures = new RateLimitedLog(LOG, 10_000);
    /** PID to "queued only because of a local edit"; guarded by itself. */
    private final LinkedHashMap<String, Boolean> pending = new LinkedHashMap<>();
    private boolean reconcileAll;
    private boolean scheduled;
    private volatile boolean closed;
    /** Change count of the configuration right after our own last update, per PID; bridge thread only. */
    private final Map<String, Long> ownChangeCounts = new HashMap<>();

    ConfigBridge(ConfigurationAdmin configAdmin, ConfigStateMachine store) {
        this.configAdmin = configAdmin;
        this.store = store;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "paxos-config-bridge");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the bridge with a full reconcile. */
    void start() {
        synchronized (pending) {
            reconcileAll = true;
            scheduleLocked();
        }
    }

    /** The store executed writes to these PIDs (in execution order). Never blocks. */
    void executed(List<String> pids) {
        synchronized (pending) {
            for (String pid : pids) pending.put(pid, Boolean.FALSE);
            overflowCheckLocked();
            scheduleLocked();
        }
    }

    /** ConfigAdmin reported a change of {@code pid} (possibly our own). Never blocks. */
    void localChange(String pid) {
        if (!ConfigCommand.isValidPid(pid)) return;
        synchronized (pending) {
            pending.putIfAbsent(pid, Boolean.TRUE);
            overflowCheckLocked();
            scheduleLocked();
        }
    }

    /** Stops the thread; queued work is dropped (the next start reconciles everything). */
    @Override
    public void close() {
        closed = true;
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void overflowCheckLocked() {
        if (pending.size() > PENDING_MAX) {
            pending.clear();
            reconcileAll = true;
        }
    }

    private void scheduleLocked() {
        if (scheduled || closed) return;
        scheduled = true;
        executor.execute(this::drain);
    }

    private void drain() {
        while (!closed) {
            String pid = null;
            boolean localOnly = false;
            boolean all = false;
            synchronized (pending) {
                if (reconcileAll) {
                    reconcileAll = false;
                    pending.clear();
                    all = true;
                } else if (pending.isEmpty()) {
                    scheduled = false;
                    return;
                } else {
                    Iterator<Map.Entry<String, Boolean>> it = pending.entrySet().iterator();
                    Map.Entry<String, Boolean> first = it.next();
                    pid = first.getKey();
                    localOnly = first.getValue();
                    it.remove();
                }
            }
            try {
                if (all) reconcileAll();
                else apply(pid, localOnly);
            } catch (IOException | RuntimeException e) {
                failures.log(Level.WARNING, "config bridge: cannot apply " + (all ? "the store" : "PID " + pid)
                        + " to ConfigurationAdmin: " + e);
            }
        }
        synchronized (pending) {
            scheduled = false;
        }
    }

    private void reconcileAll() throws IOException {
        SortedMap<String, Long> versions = store.versions(ConfigCommand.GROUP);
        for (String pid : versions.keySet()) {
            if (closed) return;
            try {
                apply(pid, false);
            } catch (IOException | RuntimeException e) { // one bad PID must not keep the others out
                failures.log(Level.WARNING, "config bridge: cannot apply PID " + pid + " to ConfigurationAdmin: " + e);
            }
        }
        for (Configuration c : list("(" + ConfigProperties.VERSION_PROPERTY + "=*)")) {
            String pid = c.getPid(); // read before delete: a deleted Configuration throws on every getter
            if (c.getFactoryPid() == null && !versions.containsKey(pid)) {
                c.delete();
                ownChangeCounts.remove(pid);
            }
        }
    }

    /** Makes ConfigAdmin's {@code pid} equal the store's. */
    private void apply(String pid, boolean localOnly) throws IOException {
        Optional<ConfigEntry> entry = store.get(ConfigCommand.GROUP, pid);
        Configuration existing = find(pid);
        if (entry.isEmpty()) {
            // a local edit of a PID the store does not hold is none of our business
            if (!localOnly && existing != null) existing.delete();
            ownChangeCounts.remove(pid);
            return;
        }
        ConfigEntry e = entry.get();
        if (existing != null) {
            Dictionary<String, Object> current = existing.getProperties();
            Long marker = current == null ? null : asLong(current.get(ConfigProperties.VERSION_PROPERTY));
            boolean same = current != null && marker != null && marker == e.version()
                    && ConfigProperties.sameContent(userProperties(current), e.properties());
            if (same) {
                ownChangeCounts.put(pid, existing.getChangeCount());
                return;
            }
            Long own = ownChangeCounts.get(pid);
            boolean foreignEdit = own != null ? existing.getChangeCount() != own
                    : marker == null || marker >= e.version(); // unknown history: only a stale marker excuses a difference
            if (foreignEdit)
                conflicts.log(Level.WARNING, "config PID " + pid + " was changed locally; overwritten with replicated version "
                        + e.version() + " (the replicated store wins)");
        } else if (localOnly && ownChangeCounts.containsKey(pid)) {
            conflicts.log(Level.WARNING, "config PID " + pid + " was deleted locally; restored replicated version "
                    + e.version() + " (the replicated store wins)");
        }
        Hashtable<String, Object> properties = new Hashtable<>(e.properties());
        properties.put(ConfigProperties.VERSION_PROPERTY, e.version());
        Configuration target = existing != null ? existing : configAdmin.getConfiguration(pid, "?");
        target.update(properties);
        ownChangeCounts.put(pid, target.getChangeCount());
    }

    private Configuration find(String pid) throws IOException {
        Configuration[] found = list("(" + org.osgi.framework.Constants.SERVICE_PID + "=" + pid + ")");
        for (Configuration c : found) if (c.getFactoryPid() == null && pid.equals(c.getPid())) return c;
        return null;
    }

    private Configuration[] list(String filter) throws IOException {
        try {
            Configuration[] found = configAdmin.listConfigurations(filter);
            return found == null ? new Configuration[0] : found;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("bad filter " + filter, e); // PIDs are validated: cannot happen
        }
    }

    private static Map<String, Object> userProperties(Dictionary<String, Object> d) {
        Map<String, Object> out = new HashMap<>();
        for (String key : Collections.list(d.keys())) {
            if (!ConfigProperties.RESERVED_KEYS.contains(key)) out.put(key, d.get(key));
        }
        return out;
    }

    private static Long asLong(Object v) {
        return v instanceof Long l ? l : null;
    }
}
