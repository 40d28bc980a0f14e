package paxos.impl.core;

import java.util.List;
import paxos.api.spi.log.InstanceRecord;

/**
 * What a core is rebuilt from after a restart; the runtime reads it from its
 * {@link paxos.api.spi.log.LogStore}:
 * {@code new CoreState(store.promisedBallot(g), store.readRange(g, applyFrom, store.range(g).end(), n)..., applyFrom)}.
 *
 * @param promisedBallot the highest promise persisted for the group ({@link Ballot#NONE} if none)
 * @param records the group's accept and chosen records of instances {@code >= applyFrom}, any order
 * @param applyFrom the first instance the core must hand out in {@link Ready#toApply}: one past the
 *     highest instance every state machine of the group has durably executed ({@code 0} for a
 *     state machine without durable state, which replays the whole retained log). Every instance
 *     below it must be chosen (they were executed).
 */
public record CoreState(long promisedBallot, List<InstanceRecord> records, long applyFrom) {
    /** An empty log: a fresh node. */
    public static final CoreState EMPTY = new CoreState(Ballot.NONE, List.of(), 0);

    /** Validates ranges; defensive copy. */
    public CoreState {
        records = List.copyOf(records);
        if (promisedBallot < 0) throw new IllegalArgumentException("promisedBallot must be >= 0: " + promisedBallot);
        if (applyFrom < 0) throw new IllegalArgumentException("applyFrom must be >= 0: " + applyFrom);
    }
}
