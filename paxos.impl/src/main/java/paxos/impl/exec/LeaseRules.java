package paxos.impl.exec;

import java.util.concurrent.TimeUnit;

/**
 * The lease arithmetic shared by the runtime and the simulator; pure (callers pass their monotonic
 * clock readings in nanoseconds).
 *
 * <p>A master's lease runs from <em>before</em> it proposed the claim or renewal that executed, for
 * {@code leaseMillis - margin}. Any other node (and the master itself after a restart) counts the
 * lease from when it <em>executed</em> the latest master entry, and may claim only after
 * {@code leaseMillis + margin}. Since the master started its count before anyone could execute the
 * entry, the two windows are disjoint as long as the clocks' rates differ by less than
 * {@code margin / leaseMillis} (10 %, far above real monotonic-clock drift; the rest absorbs
 * scheduling pauses between the check and the read). Leases are in memory only.
 */
public final class LeaseRules {
    /** Clock-drift margin as a share of the lease, in percent. */
    public static final int DRIFT_MARGIN_PERCENT = 10;
    /** Smallest clock-drift margin, whatever the lease. */
    public static final long DRIFT_MARGIN_MIN_MILLIS = 10;

    private LeaseRules() {}

    /** The margin applied on both sides of a lease of {@code leaseMillis}. */
    public static long driftMarginMillis(long leaseMillis) {
        return Math.max(DRIFT_MARGIN_MIN_MILLIS, leaseMillis * DRIFT_MARGIN_PERCENT / 100);
    }

    /** Nanoseconds of lease the master has left at {@code nowNanos}; {@code <= 0}: expired. */
    public static long masterRemainingNanos(long startedBeforeProposeNanos, long leaseMillis, long nowNanos) {
        long validNanos = TimeUnit.MILLISECONDS.toNanos(leaseMillis - driftMarginMillis(leaseMillis));
        return validNanos - (nowNanos - startedBeforeProposeNanos);
    }

    /** Nanoseconds until another node may claim, counted from when it executed the latest master entry; {@code <= 0}: now. */
    public static long followerWaitNanos(long entryExecutedNanos, long leaseMillis, long nowNanos) {
        long waitNanos = TimeUnit.MILLISECONDS.toNanos(leaseMillis + driftMarginMillis(leaseMillis));
        return waitNanos - (nowNanos - entryExecutedNanos);
    }
}
