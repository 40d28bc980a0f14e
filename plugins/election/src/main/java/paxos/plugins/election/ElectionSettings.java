package paxos.plugins.election;

/**
 * The elector's settings.
 *
 * @param leaseMillis the lease a master asks for, {@code 100 .. 600000}
 * @param driftMarginMillis clock-drift margin the elector subtracts from its own lease and adds
 *     before a takeover, {@code >= 1} and below half the lease (the engine applies its own margin
 *     on top: 10 % of the lease, at least 10 ms)
 * @param checkIntervalMillis how often the elector looks at every group, {@code 10 .. leaseMillis/3}
 * @param dropHoldOffMillis after {@link MasterElection#dropMaster}, no claim for this long
 */
public record ElectionSettings(long leaseMillis, long driftMarginMillis, long checkIntervalMillis, long dropHoldOffMillis) {
    /** Three-second leases, checked every 100 ms. */
    public static final ElectionSettings DEFAULTS = new ElectionSettings(3_000, 100, 100, 6_000);

    /** Rejects nonsense with a message naming the field. */
    public ElectionSettings {
        if (leaseMillis < 100 || leaseMillis > 600_000)
            throw new IllegalArgumentException("leaseMillis must be in 100..600000: " + leaseMillis);
        if (driftMarginMillis < 1 || driftMarginMillis * 2 >= leaseMillis)
            throw new IllegalArgumentException("driftMarginMillis must be >= 1 and below half the lease: " + driftMarginMillis);
        if (checkIntervalMillis < 10 || checkIntervalMillis * 3 > leaseMillis)
            throw new IllegalArgumentException("checkIntervalMillis must be in 10..leaseMillis/3: " + checkIntervalMillis);
        if (dropHoldOffMillis < 0) throw new IllegalArgumentException("dropHoldOffMillis must be >= 0: " + dropHoldOffMillis);
    }
}
