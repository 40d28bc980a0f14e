package paxos.impl.core;

import java.util.Objects;
import paxos.api.Membership;

/**
 * Everything one group's core needs to know, immutable and validated. Times are in ticks (the
 * runtime decides how long a tick is; 10 ms is a sane choice). Start from {@link #defaults} and
 * change what you need with the {@code with...} copies.
 *
 * @param group the group ID, {@code >= 0}
 * @param selfNodeId this node, a member of {@code membership}
 * @param membership the group's members; voters form quorums, followers only learn
 * @param quorumRule quorum size per voter count; production uses {@link QuorumRule#MAJORITY}
 * @param heartbeatTicks how often the leader announces itself ({@code >= 1})
 * @param electionTimeoutTicks how long a voter waits without hearing a leader before it runs
 *     phase 1; randomized in {@code [t, 2t)} ({@code > heartbeatTicks})
 * @param retransmitTicks how long the proposer waits before resending unanswered prepares and
 *     accepts, and a learner before re-asking for catch-up ({@code >= 1})
 * @param windowMax most instances this leader has in flight (proposed, not yet chosen)
 * @param batchCountMax most commands packed into one instance
 * @param batchBytesMax most bytes of one encoded instance value
 * @param batchDelayTicks how long a partial batch may wait for more proposals ({@code 0}: none)
 * @param valueBytesMax largest single command value
 * @param queueMax most proposal units queued (not yet in an instance) on this node
 * @param queueBytesMax most value bytes queued on this node
 * @param replyEntriesMax most entries in one promise or catch-up reply
 * @param replyBytesMax most value bytes in one promise or catch-up reply (one entry always fits)
 * @param applyEntriesMax most chosen values handed out in one {@link Ready}
 * @param preVote run a pre-vote round before phase 1 (production: {@code true}). Why: a voter
 *     that was cut off and comes back would otherwise raise its ballot and depose a healthy
 *     leader; with pre-vote it needs a quorum of voters that heard no live leader for an
 *     election timeout before it may raise any ballot. {@code false} only in the simulator's
 *     broken variant.
 */
public record CoreConfig(int group, int selfNodeId, Membership membership, QuorumRule quorumRule,
                         int heartbeatTicks, int electionTimeoutTicks, int retransmitTicks,
                         int windowMax, int batchCountMax, int batchBytesMax, int batchDelayTicks,
                         int valueBytesMax, int queueMax, long queueBytesMax,
                         int replyEntriesMax, int replyBytesMax, int applyEntriesMax, boolean preVote) {

    /** Validates; every message names the field and the rule. */
    public CoreConfig {
        Objects.requireNonNull(membership, "membership");
        Objects.requireNonNull(quorumRule, "quorumRule");
        require(group >= 0, "group must be >= 0: " + group);
        require(membership.contains(selfNodeId), "self node " + selfNodeId + " is not a member of the group");
        require(membership.voters() >= 1, "the group needs at least one voter");
        int q = quorumRule.size(membership.voters());
        require(q >= 1 && q <= membership.voters(), "quorum " + q + " outside 1.." + membership.voters());
        require(heartbeatTicks >= 1, "heartbeatTicks must be >= 1: " + heartbeatTicks);
        require(electionTimeoutTicks > heartbeatTicks, "election timeout (" + electionTimeoutTicks
                + " ticks) must exceed heartbeat interval (" + heartbeatTicks + " ticks)");
        require(retransmitTicks >= 1, "retransmitTicks must be >= 1: " + retransmitTicks);
        require(windowMax >= 1, "windowMax must be >= 1: " + windowMax);
        require(batchCountMax >= 1, "batchCountMax must be >= 1: " + batchCountMax);
        require(batchDelayTicks >= 0, "batchDelayTicks must be >= 0: " + batchDelayTicks);
        require(valueBytesMax >= 0, "valueBytesMax must be >= 0: " + valueBytesMax);
        require((long) BatchCodec.HEADER_BYTES + BatchCodec.COMMAND_OVERHEAD_BYTES + valueBytesMax <= batchBytesMax,
                "batchBytesMax (" + batchBytesMax + ") must hold one command of valueBytesMax (" + valueBytesMax + ") plus "
                        + (BatchCodec.HEADER_BYTES + BatchCodec.COMMAND_OVERHEAD_BYTES) + " bytes of framing");
        require(queueMax >= 1, "queueMax must be >= 1: " + queueMax);
        require(queueBytesMax >= batchBytesMax, "queueBytesMax must be >= batchBytesMax: " + queueBytesMax);
        require(replyEntriesMax >= 1, "replyEntriesMax must be >= 1: " + replyEntriesMax);
        require(replyBytesMax >= 1, "replyBytesMax must be >= 1: " + replyBytesMax);
        require(applyEntriesMax >= 1, "applyEntriesMax must be >= 1: " + applyEntriesMax);
    }

    /** Sane production defaults, assuming a 10 ms tick. */
    public static CoreConfig defaults(int group, int selfNodeId, Membership membership) {
        return new CoreConfig(group, selfNodeId, membership, QuorumRule.MAJORITY,
                10, 50, 20,
                32, 256, 4 << 20, 0,
                1 << 20, 10_000, 64L << 20,
                256, 4 << 20, 256, true);
    }

    /** A copy with other timeouts. */
    public CoreConfig withTimeouts(int heartbeatTicks, int electionTimeoutTicks, int retransmitTicks) {
        return new CoreConfig(group, selfNodeId, membership, quorumRule, heartbeatTicks, electionTimeoutTicks,
                retransmitTicks, windowMax, batchCountMax, batchBytesMax, batchDelayTicks, valueBytesMax, queueMax,
                queueBytesMax, replyEntriesMax, replyBytesMax, applyEntriesMax, preVote);
    }

    /** A copy with other pipelining and batching limits. */
    public CoreConfig withBatching(int windowMax, int batchCountMax, int batchBytesMax, int batchDelayTicks, int valueBytesMax) {
        return new CoreConfig(group, selfNodeId, membership, quorumRule, heartbeatTicks, electionTimeoutTicks,
                retransmitTicks, windowMax, batchCountMax, batchBytesMax, batchDelayTicks, valueBytesMax, queueMax,
                Math.max(queueBytesMax, batchBytesMax), replyEntriesMax, replyBytesMax, applyEntriesMax, preVote);
    }

    /** A copy with other queue, reply and apply bounds. */
    public CoreConfig withBounds(int queueMax, long queueBytesMax, int replyEntriesMax, int replyBytesMax, int applyEntriesMax) {
        return new CoreConfig(group, selfNodeId, membership, quorumRule, heartbeatTicks, electionTimeoutTicks,
                retransmitTicks, windowMax, batchCountMax, batchBytesMax, batchDelayTicks, valueBytesMax, queueMax,
                queueBytesMax, replyEntriesMax, replyBytesMax, applyEntriesMax, preVote);
    }

    /** A copy with another quorum rule (the simulator's broken variant; production keeps MAJORITY). */
    public CoreConfig withQuorumRule(QuorumRule rule) {
        return new CoreConfig(group, selfNodeId, membership, rule, heartbeatTicks, electionTimeoutTicks,
                retransmitTicks, windowMax, batchCountMax, batchBytesMax, batchDelayTicks, valueBytesMax, queueMax,
                queueBytesMax, replyEntriesMax, replyBytesMax, applyEntriesMax, preVote);
    }

    /** A copy with pre-vote on or off (off: the simulator's broken variant; production keeps it on). */
    public CoreConfig withPreVote(boolean on) {
        return new CoreConfig(group, selfNodeId, membership, quorumRule, heartbeatTicks, electionTimeoutTicks,
                retransmitTicks, windowMax, batchCountMax, batchBytesMax, batchDelayTicks, valueBytesMax, queueMax,
                queueBytesMax, replyEntriesMax, replyBytesMax, applyEntriesMax, on);
    }

    /** The number of promises or accepts that decide. */
    public int quorum() {
        return quorumRule.size(membership.voters());
    }

    /** True if {@code nodeId} votes in this group. */
    public boolean isVoter(int nodeId) {
        return membership.members().stream().anyMatch(m -> m.nodeId() == nodeId && m.role() == paxos.api.MemberRole.VOTER);
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
