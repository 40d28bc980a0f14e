package paxos.sim;

import org.junit.jupiter.api.Test;

/**
 * The production runtime sends a leader's accepts before its own accept is durable, which is safe
 * only because the leader's own vote counts once durable ({@code paxos.impl.core.Early}). The
 * broken rule {@link Variant#OWN_VOTE_BEFORE_FSYNC} counts it at once: a value chosen with a vote
 * that a crash then forgets is chosen again differently, and the agreement oracle catches it
 * (first at seed 24; 5 of seeds 1–3000: seeds 24, 538, 1134, 1873, 2820). The correct build passes
 * the same oracle in every seed of {@code SimulationTest} (and 11,000 seeds of {@code ./paxos sim}).
 * {@code EarlyEffectsTest} shows the same break on one runner, without a simulation.
 */
class OwnVoteVariantTest {
    private static final long SEEDS_MAX = 3000;

    @Test
    void countingTheLeadersOwnVoteBeforeItsFsyncIsCaught() {
        for (long seed = 1; seed <= SEEDS_MAX; seed++) {
            SimResult r = Simulation.run(seed, Variant.OWN_VOTE_BEFORE_FSYNC);
            if (r.violations().stream().anyMatch(v -> v.contains("chosen with two values"))) return;
        }
        throw new AssertionError("no violation found counting the leader's own vote before its fsync in " + SEEDS_MAX + " seeds");
    }
}
