package paxos.impl.core;

/**
 * How many voters make a quorum. Production always uses {@link #MAJORITY}; the rule is a strategy
 * only so that the simulator can prove it catches a wrong one (a deliberately broken variant),
 * without a test hook inside the core.
 */
@FunctionalInterface
public interface QuorumRule {
    /** {@code voters / 2 + 1}: any two quorums intersect. */
    QuorumRule MAJORITY = voters -> voters / 2 + 1;

    /** The quorum size for {@code voters >= 1} voters; must be in {@code 1..voters}. */
    int size(int voters);
}
