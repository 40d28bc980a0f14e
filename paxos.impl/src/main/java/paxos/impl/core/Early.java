package paxos.impl.core;

import paxos.api.spi.log.LogRecord;

/**
 * Which of a {@link Ready}'s effects may happen before its synced records (and every earlier
 * Ready's) are durable. The one place that decides it is {@link #PRODUCTION}; the runtime obeys
 * it, and a broken rule is a build for the simulator to catch (like {@link Durability.Rule}).
 *
 * <p>Why these are safe early:
 * <ul>
 *   <li>A leader's {@link Message.Accept} is a proposal, not a vote: the others' votes are
 *       durable before they answer, and the leader's own vote counts only when the core gets its
 *       own {@link Message.Accepted} back, after the accept record is durable (never early). So
 *       the leader's fsync runs in parallel with the followers'. It relies on the leader's promise
 *       of its ballot, so it waits while a {@link LogRecord.Promise} is not yet durable.</li>
 *   <li>A {@link Message.Commit} carries a chosen value: chosen by a quorum of durable votes (the
 *       own vote included only once durable), a fact whatever this node's disk holds. Chosen
 *       marks are not synced anyway. (Applying chosen values early would be safe for the same
 *       reason; see {@link #applyEarly()} for why it is off.)</li>
 * </ul>
 * Everything else (promises, accepted replies, rejects, heartbeats, catch-up) waits for the sync.
 */
@FunctionalInterface
public interface Early {
    /** The production rule. */
    Early PRODUCTION = (m, self, promisePending) -> {
        if (m instanceof Message.Accept a) return a.from() == self && a.to() != self && !promisePending;
        return m instanceof Message.Commit;
    };

    /**
     * True if {@code m} may be sent before its Ready is durable.
     *
     * @param self this node
     * @param promisePending a Ready not yet durable (this one included) holds a promise record
     */
    boolean sendEarly(Message m, int self, boolean promisePending);

    /**
     * True if the Ready's values may go to execution before it is durable. Production: no, not yet.
     * Chosen values are facts; the simulator's one objection (seed 3955: a version not in force)
     * was its own oracle's bug (a re-forwarded activation counted twice), and with the oracle fixed
     * 11,000 seeds pass with this on. Still off: its speed-up was not measured apart from the
     * leader's parallel fsync, and a state machine that persists its position could then stand
     * ahead of this node's durable log after a crash, which no crash test covers yet. Even without a
     * crash: turned on (3 Dec 2026), a re-registering state machine reported a checkpoint beyond the
     * log's last instance and {@code Registrations.join} failed the group as a foreign data directory
     * ({@code VersionUpgradeTest}, once): that check must first count what went to execution.
     */
    default boolean applyEarly() {
        return false;
    }

    /** True if {@code r} is a promise (accept records never raise the promise of a leader's own ballot). */
    static boolean isPromise(LogRecord r) {
        return r instanceof LogRecord.Promise;
    }
}
