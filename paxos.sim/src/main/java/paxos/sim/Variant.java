package paxos.sim;

import paxos.api.spi.log.LogRecord;
import paxos.impl.core.Durability;
import paxos.impl.core.Early;
import paxos.impl.core.Message;
import paxos.impl.core.QuorumRule;

/**
 * Which build of the system the simulator runs. {@link #CORRECT} is production; the others are
 * deliberately broken, to prove the simulator's oracles catch real bugs. The breaks live here and
 * in the simulator's shell, never in the core; a durability break is a {@link Durability.Rule}
 * handed to the production runtime, so it runs in the production code path.
 */
public enum Variant {
    /** The production core and the production runtime's durability rule. */
    CORRECT(QuorumRule.MAJORITY, Durability.Rule.PRODUCTION, 1, false, false, false),
    /** Quorums of {@code voters / 2}: two quorums need not intersect. */
    MINORITY_QUORUM(voters -> Math.max(1, voters / 2), Durability.Rule.PRODUCTION, 1, false, false, false),
    /**
     * The runtime syncs nothing before a Ready's effects (every record appended unsynced), so it
     * sends replies before their records are durable (a crash forgets promises).
     */
    SEND_BEFORE_PERSIST(QuorumRule.MAJORITY, record -> Durability.UNSYNCED, 1, false, false, false),
    /**
     * The runtime appends accepts unsynced (promises still synced): an acceptor's accepted reply
     * may be counted by the leader and then lost by a crash, and a later leader may not see the
     * value a quorum chose. Runs in the production runtime's own persist path (the simulator's
     * former copy synced everything and could not express it).
     */
    ACCEPTS_UNSYNCED(QuorumRule.MAJORITY,
            record -> record instanceof LogRecord.Promise ? Durability.SYNCED : Durability.UNSYNCED, 1, false, false, false),
    /** After installing a checkpoint at P the shell resumes the core and executor at P, not P + 1. */
    CHECKPOINT_RESUME_AT_P(QuorumRule.MAJORITY, Durability.Rule.PRODUCTION, 0, false, false, false),
    /**
     * A checkpoint install records the new position (and deletes the log) before the state
     * machine's state is replaced; a crash in between leaves a mix.
     */
    NON_ATOMIC_INSTALL(QuorumRule.MAJORITY, Durability.Rule.PRODUCTION, 1, true, false, false),
    /**
     * The state machine ignores versions (whatever version it is registered as, it executes as
     * the first): after an activation, a replica lacking the new version executes with the old one.
     */
    VERSIONS_IGNORED(QuorumRule.MAJORITY, Durability.Rule.PRODUCTION, 1, false, true, false),
    /**
     * Node 1's state machine of group 0 applies one batch differently from the others (a
     * non-deterministic plugin): the production digest comparison must report it.
     */
    NONDETERMINISTIC_REPLICA(QuorumRule.MAJORITY, Durability.Rule.PRODUCTION, 1, false, false, true),
    /**
     * The production core with pre-vote off: a voter coming back from a cut raises its ballot
     * and deposes healthy leaders ({@link RejoinCheck} must catch it).
     */
    NO_PRE_VOTE(QuorumRule.MAJORITY, Durability.Rule.PRODUCTION, 1, false, false, false),
    /**
     * The production executor with deduplication off: a proposal forwarded again to a new leader
     * and chosen twice executes twice (the at-most-once oracle must catch it).
     */
    NO_DEDUP(QuorumRule.MAJORITY, Durability.Rule.PRODUCTION, 1, false, false, false),
    /**
     * A membership change comes into force at the instance after the one that chose it, while the
     * leader keeps its window (up to {@code ConfigTracker.ACTIVATION_DELAY} instances in flight):
     * instances proposed under the old membership are counted by quorums of the new one elsewhere
     * (the agreement oracle must catch it).
     */
    IMMEDIATE_MEMBERSHIP(QuorumRule.MAJORITY, Durability.Rule.PRODUCTION, 1, false, false, false),
    /**
     * The production runtime sends a leader's accepts before its own accept is durable (as it
     * should) but also counts the leader's own vote at once, before its fsync: a value may be
     * chosen, committed and executed with a vote a crash then forgets.
     */
    OWN_VOTE_BEFORE_FSYNC(QuorumRule.MAJORITY, Durability.Rule.PRODUCTION, 1, false, false, false),
    /**
     * The incarnation gate off: peers step votes from any incarnation of a member, and a node whose
     * disk was wiped votes under its old entry at once, with an empty acceptor (the agreement or
     * acknowledgement oracle must catch a chosen value lost so).
     */
    WIPED_VOTES(QuorumRule.MAJORITY, Durability.Rule.PRODUCTION, 1, false, false, false);

    final QuorumRule quorumRule;
    /** Handed to the production runtime: which records it syncs before a Ready's effects. */
    final Durability.Rule durability;
    /** Where a group resumes after a checkpoint at P: {@code P + resumeOffset} (production: 1). */
    final int resumeOffset;
    final boolean nonAtomicInstall;
    final boolean versionsIgnored;
    final boolean nondeterministicReplica;
    /** Whether the production core's pre-vote is on (a {@code CoreConfig} switch, not a copy). */
    final boolean preVote = !name().equals("NO_PRE_VOTE");
    /** Whether the production executor skips requests executed already (a {@code GroupExecutor} switch). */
    final boolean deduplicate = !name().equals("NO_DEDUP");
    /** Whether the production {@code IncarnationGate} and the core's own incarnation check are on. */
    final boolean incarnationGate = !name().equals("WIPED_VOTES");
    /** Instances between a membership change and its coming into force (a {@code ConfigTracker} setting). */
    final int activationDelay = name().equals("IMMEDIATE_MEMBERSHIP") ? 1 : paxos.impl.core.ConfigTracker.ACTIVATION_DELAY;
    /** Which Ready effects the production runtime does before the Ready is durable. */
    final Early early = name().equals("OWN_VOTE_BEFORE_FSYNC")
            ? (m, self, promisePending) -> (m instanceof Message.Accepted a && a.to() == self)
                    || Early.PRODUCTION.sendEarly(m, self, promisePending)
            : Early.PRODUCTION;

    Variant(QuorumRule quorumRule, Durability.Rule durability, int resumeOffset, boolean nonAtomicInstall,
            boolean versionsIgnored, boolean nondeterministicReplica) {
        this.versionsIgnored = versionsIgnored;
        this.nondeterministicReplica = nondeterministicReplica;
        this.quorumRule = quorumRule;
        this.durability = durability;
        this.resumeOffset = resumeOffset;
        this.nonAtomicInstall = nonAtomicInstall;
    }
}
