package paxos.sim;

import paxos.impl.core.QuorumRule;

/**
 * Which build of the system the simulator runs. {@link #CORRECT} is production; the others are
 * deliberately broken, to prove the simulator's oracles catch real bugs. The breaks live here and
 * in the simulator's shell, never in the core.
 */
public enum Variant {
    /** The production core and the production shell order (persist, sync, then send). */
    CORRECT(QuorumRule.MAJORITY, false),
    /** Quorums of {@code voters / 2}: two quorums need not intersect. */
    MINORITY_QUORUM(voters -> Math.max(1, voters / 2), false),
    /** The shell sends a Ready's messages before its records are synced (a crash forgets promises). */
    SEND_BEFORE_PERSIST(QuorumRule.MAJORITY, true);

    final QuorumRule quorumRule;
    final boolean sendBeforePersist;

    Variant(QuorumRule quorumRule, boolean sendBeforePersist) {
        this.quorumRule = quorumRule;
        this.sendBeforePersist = sendBeforePersist;
    }
}
