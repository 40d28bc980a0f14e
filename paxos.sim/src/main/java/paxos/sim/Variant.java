package paxos.sim;

import paxos.impl.core.QuorumRule;

/**
 * Which build of the system the simulator runs. {@link #CORRECT} is production; the others are
 * deliberately broken, to prove the simulator's oracles catch real bugs. The breaks live here and
 * in the simulator's shell, never in the core.
 */
public enum Variant {
    /** The production core and the production shell order (persist, sync, then send). */
    CORRECT(QuorumRule.MAJORITY, false, 1, false, false, false),
    /** Quorums of {@code voters / 2}: two quorums need not intersect. */
    MINORITY_QUORUM(voters -> Math.max(1, voters / 2), false, 1, false, false, false),
    /** The shell sends a Ready's messages before its records are synced (a crash forgets promises). */
    SEND_BEFORE_PERSIST(QuorumRule.MAJORITY, true, 1, false, false, false),
    /** After installing a checkpoint at P the shell resumes the core and executor at P, not P + 1. */
    CHECKPOINT_RESUME_AT_P(QuorumRule.MAJORITY, false, 0, false, false, false),
    /**
     * A checkpoint install records the new position (and deletes the log) before the state
     * machine's state is replaced; a crash in between leaves a mix.
     */
    NON_ATOMIC_INSTALL(QuorumRule.MAJORITY, false, 1, true, false, false),
    /**
     * The shell ignores state machine versions (registers its state machine for any version, as
     * before versions existed): after an activation, a replica lacking the new version executes
     * with the old one.
     */
    VERSIONS_IGNORED(QuorumRule.MAJORITY, false, 1, false, true, false),
    /**
     * Node 1's state machine of group 0 applies one batch differently from the others (a
     * non-deterministic plugin): the production digest comparison must report it.
     */
    NONDETERMINISTIC_REPLICA(QuorumRule.MAJORITY, false, 1, false, false, true),
    /**
     * The production core with pre-vote off: a voter coming back from a cut raises its ballot
     * and deposes healthy leaders ({@link RejoinCheck} must catch it).
     */
    NO_PRE_VOTE(QuorumRule.MAJORITY, false, 1, false, false, false);

    final QuorumRule quorumRule;
    final boolean sendBeforePersist;
    /** Where a group resumes after a checkpoint at P: {@code P + resumeOffset} (production: 1). */
    final int resumeOffset;
    final boolean nonAtomicInstall;
    final boolean versionsIgnored;
    final boolean nondeterministicReplica;
    /** Whether the production core's pre-vote is on (a {@code CoreConfig} switch, not a copy). */
    final boolean preVote = !name().equals("NO_PRE_VOTE");

    Variant(QuorumRule quorumRule, boolean sendBeforePersist, int resumeOffset, boolean nonAtomicInstall,
            boolean versionsIgnored, boolean nondeterministicReplica) {
        this.versionsIgnored = versionsIgnored;
        this.nondeterministicReplica = nondeterministicReplica;
        this.quorumRule = quorumRule;
        this.sendBeforePersist = sendBeforePersist;
        this.resumeOffset = resumeOffset;
        this.nonAtomicInstall = nonAtomicInstall;
    }
}
