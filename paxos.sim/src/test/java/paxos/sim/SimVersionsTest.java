package paxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * State machine versions under the simulator: seeds activate versions (compare-and-set and
 * unconditional), replicas lack the activated version for a while and hold their group, versions
 * hand over at the switch; the version oracle holds on every seed.
 */
class SimVersionsTest {
    private static final long SEEDS = 150;

    private static long stat(SimResult r, String name) {
        return Long.parseLong(r.stats().replaceAll(".*\\b" + name + "=(\\d+).*", "$1"));
    }

    @Test
    void seedsActivateHoldAndHandOverAndKeepEveryOracle() throws Exception {
        List<SimResult> results = SimulatorMain.runAll(1, SEEDS, Variant.CORRECT);
        String failures = results.stream().filter(r -> !r.passed())
                .map(r -> "seed=" + r.seed() + " violation: " + r.violations().get(0)).collect(Collectors.joining("\n"));
        assertEquals("", failures);
        long activating = results.stream().filter(r -> stat(r, "versionActivations") > 1).count();
        long holding = results.stream().filter(r -> stat(r, "versionHolds") > 0).count();
        long handingOver = results.stream().filter(r -> stat(r, "versionHandOvers") > 0).count();
        System.out.printf("of %d seeds: %d activated a version more than once, %d held a group for a missing version, "
                + "%d handed over between versions%n", SEEDS, activating, holding, handingOver);
        assertTrue(activating >= SEEDS / 5, activating + " of " + SEEDS + " seeds activated versions");
        assertTrue(holding >= SEEDS / 10, holding + " of " + SEEDS + " seeds held a group for a missing version");
        assertTrue(handingOver >= SEEDS / 10, handingOver + " of " + SEEDS + " seeds handed over between versions");
    }
}
