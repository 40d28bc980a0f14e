package paxos.api;

import java.util.Objects;

/**
 * One change of one group's membership, proposed with {@link PaxosNode#changeMembership} and
 * chosen in that group's log like any command, so every replica switches at the same instance.
 *
 * <p>Pure values, immutable, any thread. Each kind checks its own arguments; whether it applies to
 * the membership in force (the node exists, is not already a member, the result keeps a quorum
 * reachable) is checked by the engine when it proposes the change and again, deterministically, when
 * the change executes: a change that no longer applies then executes as a no-op and its caller gets
 * {@link IllegalArgumentException}.
 */
public sealed interface MembershipChange {

    /** Adds {@code member} (a node not yet in the group) as a voter or a follower. */
    record Add(Member member) implements MembershipChange {
        public Add {
            Objects.requireNonNull(member, "member");
        }
    }

    /** Removes node {@code nodeId}; it stops counting in quorums and receiving the group's traffic. */
    record Remove(int nodeId) implements MembershipChange {
        public Remove {
            Member.checkNodeId(nodeId);
        }
    }

    /** Makes member {@code nodeId} a voter (promote) or a follower (demote). */
    record ChangeRole(int nodeId, MemberRole role) implements MembershipChange {
        public ChangeRole {
            Member.checkNodeId(nodeId);
            Objects.requireNonNull(role, "role");
        }
    }

    /**
     * Adds {@code member} in the place of node {@code oldNodeId} as one change: the new member takes
     * the old one's role, the old one leaves. For a dead machine's replacement. The new member may
     * keep the old node ID under a new {@link Member#incarnation() incarnation}: the node lost its
     * disk and joined again on a fresh one (it votes only from the instance the change is in force
     * at). Such a replacement that names no incarnation gets the one the new node proved to the
     * node that proposes it; the engine refuses it if that is unknown or the one the member already
     * has (the old disk), and always refuses one whose incarnation is the member's own.
     */
    record Replace(int oldNodeId, Member member) implements MembershipChange {
        public Replace {
            Member.checkNodeId(oldNodeId);
            Objects.requireNonNull(member, "member");
        }
    }
}
