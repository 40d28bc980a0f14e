package paxos.sim;

import org.junit.jupiter.api.Test;

/**
 * The production executor without deduplication executes a proposal twice when its proposer
 * forwarded it again to a new leader and both copies were chosen: the at-most-once oracle catches
 * it within a bounded number of seeds (the correct build passes the same oracle in every seed of
 * {@code SimulationTest}).
 */
class DedupVariantTest {
    @Test
    void anExecutorWithoutDeduplicationIsCaughtExecutingARequestTwice() {
        for (long seed = 1; seed <= 200; seed++) {
            SimResult r = Simulation.run(seed, Variant.NO_DEDUP);
            if (r.violations().stream().anyMatch(v -> v.contains("and again at"))) return;
        }
        throw new AssertionError("no request executed twice without deduplication in 200 seeds");
    }
}
