package paxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator with the production storage underneath: each node's durable log is a real
 * LevelDB store in a temp directory; a simulated crash closes and reopens it. Same oracles.
 */
class SimulationOnLevelDbTest {
    @TempDir Path dir;

    @Test
    void aFewSeedsOnRealFilesKeepEveryOracle() {
        int seeds = Integer.getInteger("paxos.sim.leveldb.seeds", 5);
        for (long seed = 1; seed <= seeds; seed++) {
            SimResult r = Simulation.run(seed, Variant.CORRECT, dir.resolve("seed-" + seed));
            assertEquals(java.util.List.of(), r.violations(), "seed " + seed + ": " + r.params());
        }
    }

    @Test
    void theRealStoreRunsTheSameScheduleAsMemory() {
        SimResult memory = Simulation.run(3, Variant.CORRECT);
        SimResult files = Simulation.run(3, Variant.CORRECT, dir.resolve("same"));
        assertTrue(files.violations().isEmpty());
        assertEquals(memory.stats(), files.stats(), "storage must not change what the deterministic run does");
    }
}
