package paxos.api;

import java.util.List;

/**
 * The members of a group at some log position. Membership is replicated state: a change is a
 * system command chosen in the group's log, so every replica switches at the same instance.
 * This version of the platform starts every group with the configured membership
 * ({@code configVersion == 0}); changing it through the log is reserved for a later version and
 * needs no change to this type.
 *
 * @param configVersion the instance ID of the command that set this membership, or {@code 0}
 *     for the initial configuration
 * @param members every member, voters and followers, ordered by node ID
 */
public record Membership(long configVersion, List<Member> members) {
    /** Defensive copy; rejects duplicate node IDs. */
    public Membership {
        members = List.copyOf(members);
        if (members.stream().map(Member::nodeId).distinct().count() != members.size())
            throw new IllegalArgumentException("duplicate node ID in membership: " + members);
    }

    /** Number of voters whose promises or accepts make a majority: {@code voters/2 + 1}. */
    public int quorum() {
        return voters() / 2 + 1;
    }

    /** Number of voting members. */
    public int voters() {
        int n = 0;
        for (Member m : members) if (m.role() == MemberRole.VOTER) n++; // a loop: quorum checks call it often
        return n;
    }

    /** True if {@code nodeId} is a member in any role. */
    public boolean contains(int nodeId) {
        return members.stream().anyMatch(m -> m.nodeId() == nodeId);
    }
}
