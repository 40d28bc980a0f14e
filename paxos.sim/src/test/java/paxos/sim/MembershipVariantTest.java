package paxos.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The oracles catch the two membership breaks, with membership changes and wiped disks drawn from
 * the seed (the default), within a bounded number of seeds, and the production build passes the
 * seed that caught each. Measured: {@code WIPED_VOTES} is caught at seed 39 (one wipe within the
 * operator's rule; a value chosen twice; measured with seed 1845's wipe rule; see the README for the
 * seeds of earlier runs, e.g. 42 before the pre-vote fixes of seeds 5616 and 8710 changed
 * the runs: a wiped acceptor changes an outcome only when it forms a quorum with a node that never
 * saw the value, which few schedules draw, hence the wide bound, ~20 s), {@code IMMEDIATE_MEMBERSHIP}
 * at seed 99 (a group that never converges again: values chosen by quorums of the wrong membership
 * that the right one cannot recover; seed 3 before seed 1845's stricter wipe rule changed the runs,
 * hence a bound of 400, not 100).
 */
class MembershipVariantTest {
    /** Seeds run side by side per round while looking for the first violation. */
    private static final int ROUND = 8;

    /** The first seed in {@code 1..max} whose run of {@code variant} the oracles fail, or 0. */
    private static long firstCaught(Variant variant, long max) throws Exception {
        for (long from = 1; from <= max; from += ROUND) {
            List<SimResult> results = SimulatorMain.runAll(from, Math.min(ROUND, max - from + 1), variant);
            for (SimResult r : results) {
                if (!r.passed()) return r.seed();
            }
        }
        return 0;
    }

    /**
     * A change in force at the next instance while the leader keeps its window: instances proposed
     * under the old membership are counted by quorums of the new one.
     */
    @Test
    void aChangeInForceAtOnceWithInstancesInFlightIsCaught() throws Exception {
        assertCaughtWhereProductionPasses(Variant.IMMEDIATE_MEMBERSHIP, IMMEDIATE_SEEDS_MAX);
    }

    /**
     * The incarnation gate off: a node that lost its disk votes at once under its old entry, with
     * an empty acceptor, and a value a quorum chose with its old vote can be chosen over.
     */
    @Test
    void votesFromAWipedIncarnationAreCaught() throws Exception {
        assertCaughtWhereProductionPasses(Variant.WIPED_VOTES, WIPED_SEEDS_MAX);
    }

    private static void assertCaughtWhereProductionPasses(Variant variant, long seedsMax) throws Exception {
        long seed = firstCaught(variant, seedsMax);
        assertTrue(seed > 0, "no violation with " + variant + " in " + seedsMax + " seeds");
        SimResult correct = Simulation.run(seed);
        assertTrue(correct.passed(), "the production build fails seed " + seed + " too: " + correct.violations());
    }

    private static final long IMMEDIATE_SEEDS_MAX = 400;
    private static final long WIPED_SEEDS_MAX = 1000;
}
