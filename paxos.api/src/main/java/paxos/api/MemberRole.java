package paxos.api;

/** What a member does in its groups. */
public enum MemberRole {
    /** Takes part in quorums: promises, accepts, and may propose. */
    VOTER,
    /** Learns and executes chosen values but is never counted in a quorum. */
    FOLLOWER
}
