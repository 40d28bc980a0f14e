package paxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * State machine versions under the simulator: seeds activate versions (compare-and-set and
 * unconditional), replicas lack the activated version for a while and hold their group, versions
 * hand over at the switch; the version oracle holds on every seed.
 */
class SimVersionsTest {
    private static final long SEEDS = 150;

    @Test
    void seedsActivateHoldAndHandOverAndKeepEveryOracle() throws Exception {
        List<SimResult> results = SimulatorMain.runAll(1, SEEDS, Variant.CORRECT);
        assertEquals("", SimResult.failures(results));
        long activating = results.stream().filter(r -> r.stat("versionActivations") > 1).count();
        long holding = results.stream().filter(r -> r.stat("versionHolds") > 0).count();
        long handingOver = results.stream().filter(r -> r.stat("versionHandOvers") > 0).count();
        System.out.printf("of %d seeds: %d activated a version more than once, %d held a group for a missing version, "
                + "%d handed over between versions%n", SEEDS, activating, holding, handingOver);
        assertTrue(activating >= SEEDS / 5, activating + " of " + SEEDS + " seeds activated versions");
        assertTrue(holding >= SEEDS / 10, holding + " of " + SEEDS + " seeds held a group for a missing version");
        assertTrue(handingOver >= SEEDS / 10, handingOver + " of " + SEEDS + " seeds handed over between versions");
    }
}
