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
 *       marks are not synced anyway.</li>
 *   <li>A chosen value goes to execution for the same reason ({@link #applyEarly()}).</li>
 * </ul>
 * Everything else (promises, accepted replies, rejects, heartbeats, catch-up) waits for the sync.
 */
@FunctionalInterface
public interface Early {
    /** The production rule: the sends above, and chosen values to execution at once ({@link #applyEarly}). */
    Early PRODUCTION = new Early() {
        @Override
        public boolean sendEarly(Message m, int self, boolean promisePending) {
            if (m instanceof Message.Accept a) return a.from() == self && a.to() != self && !promisePending;
            return m instanceof Message.Commit;
        }

        @Override
        public boolean applyEarly() {
            return true;
        }
    };

    /**
     * True if {@code m} may be sent before its Ready is durable.
     *
     * @param self this node
     * @param promisePending a Ready not yet durable (this one included) holds a promise record
     */
    boolean sendEarly(Message m, int self, boolean promisePending);

    /**
     * True if the Ready's chosen values may go to execution when the Ready is taken, before it
     * (and the Readies before it) are durable. Production: yes. A chosen value is chosen by a
     * quorum of durable votes, whatever this node's disk holds; execution stays in instance order.
     * What it saves: on the leader, the append of the chosen mark (a hand-off to the store's thread
     * and back) on every proposal's path, and the wait for its own accept's fsync when two
     * followers were faster. What it allows: after a crash, a state machine that wrote its
     * position with its effects may stand ahead of this node's durable log (the accept or chosen
     * mark of an instance it executed lost); the restart replays from that position and learns
     * what the log lacks from peers. The simulator's checkpoints are exactly such positions
     * (durable at once, while a crash loses the unsynced log), and its seeds run with this on.
     * The default ({@code false}) is for rules that keep execution behind the disk.
     *
     * <p>How far ahead: a value goes to execution early only if its instance is at most
     * {@link #applyAheadMax()} beyond the highest instance of this node's synced records already
     * durable; beyond that it waits for its Ready as if this were off. The start-up and
     * re-registration checks allow a state machine exactly that far ahead of the log.
     */
    default boolean applyEarly() {
        return false;
    }

    /**
     * Production bound of {@link #applyAheadMax()}: four times the largest pipeline window, so that
     * it never binds in steady state (a leader holds at most twice its window of own accepts not yet
     * durable) and only a stalled disk makes execution wait for it.
     */
    long APPLY_AHEAD_MAX = 4096;

    /**
     * Most instances execution may run ahead of the highest instance of this node's durable synced
     * records ({@link #applyEarly()}); {@code >= 0}. Also how far a state machine's reported
     * position may stand beyond this node's log after a crash before the group refuses it as
     * another node's data ({@code StartupCheck}, {@code Registrations}).
     */
    default long applyAheadMax() {
        return APPLY_AHEAD_MAX;
    }

    /** True if {@code r} is a promise (accept records never raise the promise of a leader's own ballot). */
    static boolean isPromise(LogRecord r) {
        return r instanceof LogRecord.Promise;
    }
}
