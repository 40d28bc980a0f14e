package paxos.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The simulator can fail: deliberately broken builds are caught within the default seed count.
 * Each test runs seeds from 1 until the first violation (at most 500).
 */
class BrokenVariantsTest {
    private static final long SEEDS_MAX = 500;

    private static long firstFailingSeed(Variant variant) {
        for (long seed = 1; seed <= SEEDS_MAX; seed++) {
            if (!Simulation.run(seed, variant).passed()) return seed;
        }
        return -1;
    }

    @Test
    void quorumOfHalfTheVotersIsCaught() {
        long seed = firstFailingSeed(Variant.MINORITY_QUORUM);
        assertTrue(seed > 0, "no violation found with quorum n/2 in " + SEEDS_MAX + " seeds");
    }

    @Test
    void acceptorReplyingBeforeItsPromiseIsDurableIsCaught() {
        long seed = firstFailingSeed(Variant.SEND_BEFORE_PERSIST);
        assertTrue(seed > 0, "no violation found when sending before syncing in " + SEEDS_MAX + " seeds");
    }

    /**
     * The break runs inside the production runtime (its persist path, via the injected durability
     * rule); the simulator's former copy of the runtime synced every record and could not express it.
     */
    @Test
    void acceptsAppendedUnsyncedAreCaught() {
        long seed = firstFailingSeed(Variant.ACCEPTS_UNSYNCED);
        assertTrue(seed > 0, "no violation found with accepts appended unsynced in " + SEEDS_MAX + " seeds");
    }

    @Test
    void executingWithAVersionThatIsNotInForceIsCaught() {
        long seed = firstFailingSeed(Variant.VERSIONS_IGNORED);
        assertTrue(seed > 0, "no violation found when ignoring state machine versions in " + SEEDS_MAX + " seeds");
    }

    @Test
    void aNondeterministicReplicaIsFoundByTheProductionDigestComparison() {
        for (long seed = 1; seed <= 20; seed++) {
            SimResult r = Simulation.run(seed, Variant.NONDETERMINISTIC_REPLICA);
            if (r.violations().stream().anyMatch(v -> v.contains("production digest comparison"))) return;
        }
        throw new AssertionError("the digest comparison never reported node 1's departure in 20 seeds");
    }
}
