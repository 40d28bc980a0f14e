package paxos.api;

import java.util.Objects;

/**
 * One value to propose: the group, the state machine that will execute it, the bytes, and
 * options. Immutable; the {@code value} array is not copied, so the caller must not modify it
 * after passing it in.
 *
 * @param group the group ID, {@code 0 .. groupCount-1}
 * @param stateMachineId the receiving state machine, {@code 1..65535}
 * @param value the command bytes, {@code 0 .. maxValueBytes} long
 * @param masterVersion {@link #NO_MASTER_CONDITION}, or the master version this write is
 *     proposed under: the engine executes it iff the master version in force at its log
 *     position in the <em>same</em> group equals it (a pure function of the log, so every
 *     replica and every replay decides alike); otherwise no state machine sees it and the
 *     proposer gets {@link MasterChangedException}
 * @param timeoutMillis how long the proposer waits for the value to be chosen and executed
 *     locally before failing with {@link ProposalTimeoutException} (never sooner; the runtime
 *     checks timeouts in 50 ms steps, so up to 50 ms later); {@code 0} means the node's
 *     default; at most one hour
 */
public record Proposal(int group, int stateMachineId, byte[] value, long masterVersion, long timeoutMillis) {

    /** {@link #masterVersion()} value meaning "not conditional on a master". */
    public static final long NO_MASTER_CONDITION = -1;

    /** Largest accepted {@link #timeoutMillis()}. */
    public static final long MAX_TIMEOUT_MILLIS = 3_600_000L;

    /** Lowest state machine ID open to plugins; {@code 0} is the engine's system state machine. */
    public static final int MIN_STATE_MACHINE_ID = 1;

    /** Highest state machine ID. */
    public static final int MAX_STATE_MACHINE_ID = 65_535;

    /** Validates ranges; throws {@link IllegalArgumentException} naming the bad field. */
    public Proposal {
        Objects.requireNonNull(value, "value");
        if (group < 0) throw new IllegalArgumentException("group must be >= 0: " + group);
        if (stateMachineId < MIN_STATE_MACHINE_ID || stateMachineId > MAX_STATE_MACHINE_ID)
            throw new IllegalArgumentException("stateMachineId must be in 1..65535: " + stateMachineId);
        if (masterVersion < NO_MASTER_CONDITION)
            throw new IllegalArgumentException("masterVersion must be >= 0 or NO_MASTER_CONDITION: " + masterVersion);
        if (timeoutMillis < 0 || timeoutMillis > MAX_TIMEOUT_MILLIS)
            throw new IllegalArgumentException("timeoutMillis must be in 0.." + MAX_TIMEOUT_MILLIS + ": " + timeoutMillis);
    }

    /** An unconditional proposal with the node's default timeout. */
    public static Proposal of(int group, int stateMachineId, byte[] value) {
        return new Proposal(group, stateMachineId, value, NO_MASTER_CONDITION, 0);
    }

    /** A copy that executes only if {@code version} is the master version in force at its position. */
    public Proposal conditionalOnMaster(long version) {
        if (version < 0) throw new IllegalArgumentException("master version must be >= 0: " + version);
        return new Proposal(group, stateMachineId, value, version, timeoutMillis);
    }

    /** A copy with another timeout. */
    public Proposal withTimeoutMillis(long millis) {
        return new Proposal(group, stateMachineId, value, masterVersion, millis);
    }

    /** True if this proposal carries a master-version condition. */
    public boolean isMasterConditional() {
        return masterVersion != NO_MASTER_CONDITION;
    }
}
