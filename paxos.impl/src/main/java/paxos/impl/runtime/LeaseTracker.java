package paxos.impl.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import paxos.api.MasterInfo;
import paxos.impl.exec.LeaseRules;

/**
 * The master leases this node's engine holds, one per group, and the lease questions the engine
 * asks of them: may a LEASE read be answered here, must a takeover claim wait, how much lease is
 * left (status pages). The arithmetic is {@link LeaseRules}'; this class owns only the state
 * that arithmetic runs on.
 *
 * <p>What it does <em>not</em> own: the master in force and the lease entry this node executed
 * last (and when) are the group runner's, published after execution; callers read them from the
 * runner and pass them in, so every answer is computed from one reading of each.
 *
 * <p>Leases are in memory only: a restart forgets them, so a restarted master waits like any
 * follower before it claims again.
 *
 * <p><b>Threads.</b> Any thread; the held leases are a concurrent map and each method reads the
 * clock once. Called by {@link Engine} from API callers' threads and from the completion of a
 * claim (an execution thread). Never throws.
 */
final class LeaseTracker {
    /** A lease this incarnation won: its claim or renewal executed here, so did everything before it. */
    record HeldLease(long version, long startedNanos, long leaseMillis) {}

    private final int self;
    private final LongSupplier nanoTime;
    /** Per group, the lease this incarnation holds as master (in memory only: a restart forgets it). */
    private final Map<Integer, HeldLease> held = new ConcurrentHashMap<>();

    /**
     * @param self this node's ID
     * @param nanoTime the monotonic clock ({@code System::nanoTime} in production)
     */
    LeaseTracker(int self, LongSupplier nanoTime) {
        this.self = self;
        this.nanoTime = nanoTime;
    }

    /** The clock reading a claim's lease counts from: take it BEFORE proposing the claim. */
    long now() {
        return nanoTime.getAsLong();
    }

    /**
     * A claim or renewal by this node executed: it holds the lease of {@code version} for
     * {@code leaseMillis} counted from {@code startedNanos} (read before it proposed). Of two
     * concurrent wins the newer version, then the later start, is kept.
     */
    void won(int group, long version, long startedNanos, long leaseMillis) {
        held.merge(group, new HeldLease(version, startedNanos, leaseMillis), (a, b) -> a.version() > b.version()
                || a.version() == b.version() && a.startedNanos() - b.startedNanos() > 0 ? a : b);
    }

    /** True if this incarnation won a lease in {@code group} (valid or not). */
    boolean holds(int group) {
        return held.containsKey(group);
    }

    /**
     * Nanoseconds of valid master lease this node holds in {@code group} while {@code master} is in
     * force; {@code <= 0}: none (never won, lapsed, or another master or version took over).
     */
    long masterRemainingNanos(int group, MasterInfo master) {
        HeldLease h = held.get(group);
        if (h == null || master.nodeId() != self || master.version() != h.version()) return 0;
        return LeaseRules.masterRemainingNanos(h.startedNanos(), h.leaseMillis(), now());
    }

    /**
     * True if a takeover claim of {@code master} (expected at {@code expectedVersion}, read at
     * {@code atNanos}) must not be proposed yet: the master's lease may still run as seen here,
     * {@code leaseMillis} plus the drift margin since this node executed the latest lease entry
     * ({@code entryExecutedNanos}). A renewal by the master holding the lease never waits; a
     * claim expecting another version fails by itself, so it does not wait either.
     */
    boolean claimMustWait(int group, MasterInfo master, long expectedVersion, long entryExecutedNanos, long atNanos) {
        boolean renewal = master.exists() && master.nodeId() == self && holds(group);
        return master.exists() && !renewal && expectedVersion == master.version()
                && LeaseRules.followerWaitNanos(entryExecutedNanos, master.leaseMillis(), atNanos) > 0;
    }

    /**
     * The master lease of {@code group} as this node sees it, for status pages: on the master, the
     * valid lease it has left; elsewhere, how long until this node would let a takeover claim
     * through ({@code 0}: the lease lapsed, or there is no master). Never negative.
     */
    long remainingMillis(int group, MasterInfo master, long entryExecutedNanos) {
        if (!master.exists()) return 0;
        long nanos = master.nodeId() == self && holds(group) ? masterRemainingNanos(group, master)
                : LeaseRules.followerWaitNanos(entryExecutedNanos, master.leaseMillis(), now());
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(nanos));
    }
}
