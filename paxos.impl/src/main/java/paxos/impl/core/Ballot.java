package paxos.impl.core;

/**
 * Ballot numbers as plain {@code long}s: {@code round << 16 | nodeId}. Leaf class, no state.
 *
 * <p>Why a long and not an object: ballots are compared and stored on every message; a long is
 * totally ordered, unique per node (the node ID breaks ties between equal rounds) and fits
 * {@link paxos.api.spi.log.LogRecord.Promise} as is. {@link #NONE} ({@code 0}) is below every real
 * ballot because real rounds start at 1.
 */
public final class Ballot {
    /** No ballot: nothing promised or accepted yet. */
    public static final long NONE = 0;

    private Ballot() {}

    /** The ballot of {@code round} ({@code >= 1}) owned by {@code nodeId} ({@code 1..65535}). */
    public static long of(long round, int nodeId) {
        if (round < 1 || round >= (1L << 47)) throw new IllegalArgumentException("round out of range: " + round);
        if (nodeId < 1 || nodeId > 0xFFFF) throw new IllegalArgumentException("nodeId must be in 1..65535: " + nodeId);
        return (round << 16) | nodeId;
    }

    /** The round of a ballot ({@code 0} for {@link #NONE}). */
    public static long round(long ballot) {
        return ballot >>> 16;
    }

    /** The node that owns a ballot ({@code 0} for {@link #NONE}). */
    public static int node(long ballot) {
        return (int) (ballot & 0xFFFF);
    }

    /** The smallest ballot of {@code nodeId} that is higher than {@code above}. */
    public static long nextAbove(long above, int nodeId) {
        return of(round(above) + 1, nodeId);
    }

    /** {@code round.node}, for messages and logs. */
    public static String toString(long ballot) {
        return round(ballot) + "." + node(ballot);
    }
}
