package paxos.plugins.election;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import paxos.api.MasterInfo;
import paxos.api.PaxosNode;

/**
 * Elects a master per group with leases through {@link PaxosNode#claimMaster}; plain Java, usable
 * by an embedded node ({@code new MasterElector(node, settings).start()}); the OSGi component
 * wraps it.
 *
 * <p><b>Rules</b>, per group, every {@code checkIntervalMillis} on one daemon thread:
 * <ul>
 *   <li>holding the lease: renew ({@code claimMaster(group, version, lease)}) once less than half of
 *       it is left; a renewal keeps the version (the engine's rule), so in-flight conditional writes
 *       stay valid;</li>
 *   <li>otherwise, unless in a drop hold-off: claim with the version in force. The engine does not
 *       propose the claim while the current lease may still run as seen on its monotonic clock
 *       (lease + margin since it executed the latest master entry, or since it started: a restarted
 *       node waits one full lease), so a premature claim costs nothing;</li>
 *   <li>the lease counts from before the claim was proposed, minus {@code driftMarginMillis}.</li>
 * </ul>
 * Leases are in memory: a new elector (after a restart) never believes it is master until it wins.
 * At most one claim per group is in flight.
 */
public final class MasterElector implements MasterElection, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MasterElector.class.getName());

    private final PaxosNode node;
    private final ElectionSettings settings;
    private final LongSupplier nanoClock;
    private final Group[] groups;
    private final List<MasterListener> listeners = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService thread;

    /** Per group state; guarded by {@code this} group's monitor. */
    private static final class Group {
        long heldVersion = -2;
        long heldStartNanos;
        boolean claimInFlight;
        long holdOffUntilNanos = Long.MIN_VALUE;
        boolean holdOff;
        MasterInfo notified = MasterInfo.NONE;
        boolean notifiedSelf;
    }

    /** An elector on {@code node}; call {@link #start()}. */
    public MasterElector(PaxosNode node, ElectionSettings settings) {
        this(node, settings, System::nanoTime);
    }

    /** For tests: a given monotonic clock; drive it with {@link #check()}. */
    MasterElector(PaxosNode node, ElectionSettings settings, LongSupplier nanoClock) {
        this.node = node;
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.groups = new Group[node.groupCount()];
        for (int g = 0; g < groups.length; g++) groups[g] = new Group();
    }

    /** Starts the elector's thread. */
    public synchronized MasterElector start() {
        if (thread != null) throw new IllegalStateException("already started");
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "paxos-election-" + node.nodeId());
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::checkSafely, 0, settings.checkIntervalMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Stops the elector; the lease lapses by itself (no step-down message is needed). */
    @Override
    public synchronized void close() {
        if (thread != null) thread.shutdownNow();
        thread = null;
    }

    public void addListener(MasterListener l) {
        listeners.add(l);
    }

    public void removeListener(MasterListener l) {
        listeners.remove(l);
    }

    private void checkSafely() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "election check failed: {0}", e.toString());
        }
    }

    /** One round over every group: renew, claim, notify. */
    void check() {
        for (int g = 0; g < groups.length; g++) {
            checkGroup(g);
            notifyIfChanged(g);
        }
    }

    private void checkGroup(int g) {
        Group s = groups[g];
        MasterInfo m = node.master(g);
        long now = nanoClock.getAsLong();
        long version;
        synchronized (s) {
            if (s.claimInFlight) return;
            if (holds(s, m)) {
                if (remainingNanos(s, now) > TimeUnit.MILLISECONDS.toNanos(settings.leaseMillis()) / 2) return;
            } else if (s.holdOff && now - s.holdOffUntilNanos < 0) {
                return;
            }
            s.holdOff = false;
            s.claimInFlight = true;
            version = m.version();
        }
        long before = nanoClock.getAsLong(); // the lease counts from before proposing
        node.claimMaster(g, version, settings.leaseMillis()).whenComplete((won, e) -> {
            synchronized (s) {
                s.claimInFlight = false;
                if (e == null && won.nodeId() == node.nodeId() && !s.holdOff) {
                    if (won.version() != s.heldVersion || before - s.heldStartNanos > 0) s.heldStartNanos = before;
                    s.heldVersion = won.version();
                } else if (e != null && !(e instanceof CompletionException)) {
                    LOG.log(Level.DEBUG, "claim of group {0} failed: {1}", g, e.toString());
                }
            }
        });
    }

    private boolean holds(Group s, MasterInfo m) {
        return s.heldVersion >= 0 && m.nodeId() == node.nodeId() && m.version() == s.heldVersion;
    }

    private long remainingNanos(Group s, long now) {
        return TimeUnit.MILLISECONDS.toNanos(settings.leaseMillis() - settings.driftMarginMillis()) - (now - s.heldStartNanos);
    }

    private void notifyIfChanged(int g) {
        MasterInfo m = node.master(g);
        boolean self = isMaster(g);
        Group s = groups[g];
        synchronized (s) {
            if (m.equals(s.notified) && self == s.notifiedSelf) return;
            s.notified = m;
            s.notifiedSelf = self;
        }
        for (MasterListener l : listeners) {
            try {
                l.masterChanged(g, m, self);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "master listener failed: {0}", e.toString());
            }
        }
    }

    @Override
    public MasterInfo master(int group) {
        return node.master(group);
    }

    @Override
    public long version(int group) {
        return node.master(group).version();
    }

    @Override
    public boolean isMaster(int group) {
        Group s = groups[group];
        MasterInfo m = node.master(group);
        synchronized (s) {
            return holds(s, m) && remainingNanos(s, nanoClock.getAsLong()) > 0;
        }
    }

    @Override
    public void dropMaster(int group) {
        Group s = groups[group];
        synchronized (s) {
            s.heldVersion = -2;
            s.holdOff = true;
            s.holdOffUntilNanos = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(settings.dropHoldOffMillis());
        }
    }
}
