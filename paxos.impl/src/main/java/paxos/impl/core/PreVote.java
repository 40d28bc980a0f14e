package paxos.impl.core;

import java.util.HashSet;
import java.util.Set;

/**
 * One pre-vote round of a {@link Proposer}: the ballot it would run and the voters that said they
 * would promise it. Nothing here is persisted and no acceptor's promise moves, so a node that
 * cannot reach a quorum (cut off, or asking voters that still hear a live leader) leaves every
 * ballot where it was; when it comes back, the leader's ballot is still the highest, and it
 * follows that leader instead of deposing it. Owned by the proposer, on its thread.
 */
final class PreVote {
    /** The ballot phase 1 would use; replies to other rounds are ignored. */
    final long ballot;
    private final Set<Integer> grants = new HashSet<>();

    PreVote(long ballot) {
        this.ballot = ballot;
    }

    /** Counts {@code from}'s grant; returns how many voters granted so far. */
    int grant(int from) {
        grants.add(from);
        return grants.size();
    }

    /**
     * The acceptor-side rule: grant a pre-vote to {@code asker} unless this node leads, or heard
     * a leader other than the asker within {@code windowTicks} (the election timeout).
     *
     * @param leaderHeardAt tick this node last heard {@code leaderId} act as leader
     */
    static boolean grants(int asker, boolean leading, int leaderId, long leaderHeardAt, long now, long windowTicks) {
        if (leading) return false;
        return leaderId == 0 || leaderId == asker || now - leaderHeardAt >= windowTicks;
    }
}
