package paxos.impl.metrics;

import paxos.api.GroupStatus;

/**
 * The one definition of a peer's lag, for the status, the console and the metrics: our chosen
 * instance minus the chosen instance the peer last reported, when that report is younger than
 * {@link #FRESH_MILLIS}; unknown otherwise. Peers report their chosen position in heartbeats,
 * accepts and commits (from a leader) and in promises, so a follower's lag is known on the
 * follower itself and, on the leader, only shortly after an election. Peers do not report their
 * executed position; each node's own execution lag is its {@code chosen - executed}.
 */
public final class PeerLag {
    /** A report older than this says nothing about the peer now (a leader heartbeats far more often). */
    public static final long FRESH_MILLIS = 2_000;

    private PeerLag() {}

    /** The lag of {@code peer} in {@code s}, or {@code null} if its last report is stale or absent. */
    public static Long lag(GroupStatus s, int peer) {
        Long chosen = s.peerChosen().get(peer);
        Long age = s.peerReportAgeMillis().get(peer);
        if (chosen == null || age == null || age > FRESH_MILLIS) return null;
        return Math.max(0, s.chosenInstance() - chosen);
    }
}
