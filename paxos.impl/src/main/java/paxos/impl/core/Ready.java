package paxos.impl.core;

import java.util.List;
import paxos.api.spi.log.LogRecord;

/**
 * What the core asks its caller to do, returned by {@link GroupCore#ready()}. The caller handles
 * it completely, <b>in this order</b>, then calls {@link GroupCore#advance(Ready)}:
 *
 * <ol>
 *   <li><b>Persist</b> {@link #toPersist} (in list order) and wait until it is durable (synced).
 *       These are the acceptor's promises and accepts and the learned chosen values.</li>
 *   <li>Only then <b>send</b> {@link #messages}. Replies in it (promises, accepts) are valid only
 *       because the records above are durable: sending first lets a crash forget a promise that a
 *       peer already counted, which breaks Paxos safety.</li>
 *   <li>Serve {@link #catchUpReads} (read the store, send the replies); any time after the
 *       records above were appended.</li>
 *   <li>Only then <b>apply</b> {@link #toApply}, in list order (instance order, no gaps, continuing
 *       where the previous Ready stopped).</li>
 * </ol>
 *
 * <p>Readies are handled in the order returned. The simple way is one at a time. A caller may
 * also take the next Ready before the previous one is durable (overlapping fsyncs), if it appends
 * their records in order (so that one Ready being durable implies every earlier one is) and does
 * steps 2-4 and {@link GroupCore#advance} strictly in order. The caller may keep calling
 * {@code step}, {@code tick} and {@code propose} meanwhile; their effects go into the next Ready.
 * If the caller cannot persist (storage failed), it must stop the group: it must never send the
 * messages of a Ready whose records are not durable.
 *
 * @param toPersist records to append and sync first
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

    /** True if there is nothing to do. */
    public boolean isEmpty() {
        return toPersist.isEmpty() && messages.isEmpty() && catchUpReads.isEmpty() && toApply.isEmpty();
    }
}
