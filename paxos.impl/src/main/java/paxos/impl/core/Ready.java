package paxos.impl.core;

import java.util.List;
import paxos.api.spi.log.LogRecord;

/**
 * What the core asks its caller to do, returned by {@link GroupCore#ready()}. The caller handles
 * it completely, <b>in this order</b>, then calls {@link GroupCore#advance(Ready)}:
 *
 * <ol>
 *   <li><b>Persist</b> {@link #toPersist} in list order, split by {@link #writes}: the
 *       {@link Writes#synced} records (promises, accepts) are appended and synced, the
 *       {@link Writes#unsynced} ones (chosen marks) appended without a sync of their own. Wait
 *       until the synced ones are durable and both appends completed.</li>
 *   <li>Only then <b>send</b> {@link #messages}. Replies in it (promises, accepts) are valid only
 *       because the synced records are durable: sending first lets a crash forget a promise that
 *       a peer already counted, which breaks Paxos safety. An {@link Message.Accepted} addressed
 *       to this node is its own vote: the caller steps it back into the core (it counts only once
 *       durable). {@link Early} names the effects that need not wait for this sync (a leader's
 *       accepts, commits); the caller may do those at once.</li>
 *   <li>Serve {@link #catchUpReads} (read the store, send the replies).</li>
 *   <li><b>Apply</b> {@link #toApply}, in list order (instance order, no gaps, continuing where
 *       the previous Ready stopped), and answer the callers waiting for them. A chosen mark may
 *       still be unsynced then: a crash loses it and the node learns the value again.</li>
 * </ol>
 *
 * <p>Readies are handled in the order returned. A caller may take the next Ready before the
 * previous one is durable (overlapping fsyncs, as the runtime does up to the core's in-flight
 * bound), if it appends their records in order (so that one Ready being durable implies every
 * earlier one is) and does steps 2-4 and {@link GroupCore#advance} strictly in order. The caller
 * may keep calling {@code step}, {@code tick} and {@code propose} meanwhile; their effects go into
 * a later Ready. If the caller cannot persist (storage failed), it must stop the group: it must
 * never send the messages of a Ready whose synced records are not durable.
 *
 * @param toPersist records to append, in order; which must be synced first is {@link #writes}
 * @param messages messages to send after the sync, to {@link Message#to()}
 * @param catchUpReads peers' catch-up requests to serve from storage
 * @param toApply chosen values to execute after the sync, in instance order
 */
public record Ready(List<LogRecord> toPersist, List<Message> messages, List<CatchUpRead> catchUpReads,
                    List<ChosenValue> toApply) {
    /** Defensive copies. */
    public Ready {
        toPersist = List.copyOf(toPersist);
        messages = List.copyOf(messages);
        catchUpReads = List.copyOf(catchUpReads);
        toApply = List.copyOf(toApply);
    }

    /**
     * {@link #toPersist} split by {@code rule} ({@link Durability.Rule#PRODUCTION} in production),
     * each part in list order.
     */
    public Writes writes(Durability.Rule rule) {
        List<LogRecord> synced = new java.util.ArrayList<>();
        List<LogRecord> unsynced = new java.util.ArrayList<>();
        for (LogRecord r : toPersist) (rule.of(r) == Durability.SYNCED ? synced : unsynced).add(r);
        return new Writes(synced, unsynced);
    }

    /**
     * A Ready's records by durability.
     *
     * @param synced to append and sync before any effect of the Ready
     * @param unsynced to append without a sync of their own (a crash may lose them)
     */
    public record Writes(List<LogRecord> synced, List<LogRecord> unsynced) {
        public Writes {
            synced = List.copyOf(synced);
            unsynced = List.copyOf(unsynced);
        }
    }

    /** True if there is nothing to do. */
    public boolean isEmpty() {
        return toPersist.isEmpty() && messages.isEmpty() && catchUpReads.isEmpty() && toApply.isEmpty();
    }
}
