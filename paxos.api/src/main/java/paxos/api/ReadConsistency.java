package paxos.api;

/** How fresh a read must be; see {@link PaxosNode#readBarrier}. */
public enum ReadConsistency {
    /** Sees every write acknowledged before the read started; confirmed by a quorum; any node. */
    LINEARIZABLE,
    /** Same guarantee as {@link #LINEARIZABLE} on a master with a valid lease, without a round trip; assumes bounded clock drift. */
    LEASE,
    /** Whatever this node has executed; may miss acknowledged writes. Must be asked for explicitly. */
    STALE
}
