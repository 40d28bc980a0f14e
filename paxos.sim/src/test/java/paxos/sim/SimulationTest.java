package paxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Runs the simulator on the production build: {@code -Dpaxos.sim.seeds=N} seeds from 1 (default
 * 500), or the one seed {@code -Dpaxos.sim.seed=S}.
 */
class SimulationTest {
    @Test
    void productionBuildPassesEverySeed() throws Exception {
        Long one = Long.getLong("paxos.sim.seed");
        long from = one != null ? one : 1;
        long count = one != null ? 1 : Long.getLong("paxos.sim.seeds", 500);
        List<SimResult> results = SimulatorMain.runAll(from, count, Variant.CORRECT);
        String failures = results.stream().filter(r -> !r.passed())
                .map(r -> "seed=" + r.seed() + " violation: " + r.violations().get(0) + " (replay: ./paxos sim --seed " + r.seed() + ")")
                .collect(Collectors.joining("\n"));
        assertEquals("", failures);
        assertEquals(count, results.size());
    }

    @Test
    void aSeedReplaysExactly() {
        SimResult first = Simulation.run(7);
        SimResult second = Simulation.run(7);
        assertEquals(first.stats(), second.stats());
        assertEquals(first.params(), second.params());
    }

    @Test
    void runsDoRealWork() {
        SimResult r = Simulation.run(2);
        assertTrue(r.stats().contains("acked="), r.stats());
        long acked = Long.parseLong(r.stats().replaceAll(".*acked=(\\d+).*", "$1"));
        assertTrue(acked > 10, "clients got proposals acknowledged: " + r.stats());
    }
}
