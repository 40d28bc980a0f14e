package paxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checkpoint catch-up in the simulator: log retention, long outages, "compacted" answers,
 * checkpoint transfer and the atomic install (with crashes in the middle of it) under the same
 * oracles. Also shows that two broken installs are caught.
 */
class SimCheckpointTest {
    private static final long SEEDS = 200;

    @Test
    void manySeedsInstallCheckpointsAndKeepEveryOracle() throws Exception {
        List<SimResult> results = SimulatorMain.runAll(1, SEEDS, Variant.CORRECT);
        assertEquals("", SimResult.failures(results));
        long installing = results.stream().filter(r -> r.stat("checkpointInstalls") > 0).count();
        long crashedInInstall = results.stream().filter(r -> r.stat("installCrashes") > 0).count();
        long compacting = results.stream().filter(r -> r.stat("compactions") > 0).count();
        // about 18% of seeds install a checkpoint (measured over 1,000 seeds); the bound leaves room
        assertTrue(installing >= SEEDS / 20, installing + " of " + SEEDS + " seeds installed a checkpoint");
        assertTrue(crashedInInstall >= 1, "no seed crashed a node during an install");
        assertTrue(compacting >= SEEDS / 5, compacting + " of " + SEEDS + " seeds deleted log");
    }

    @Test
    void aCheckpointSeedReplaysExactly() throws Exception {
        SimResult installed = null;
        for (long seed = 1; seed <= SEEDS && installed == null; seed++) {
            SimResult r = Simulation.run(seed);
            if (r.stat("checkpointInstalls") > 0) installed = r;
        }
        assertTrue(installed != null, "no seed installed a checkpoint");
        assertEquals(installed.stats(), Simulation.run(installed.seed()).stats());
    }

    private static long firstFailingSeed(Variant variant) {
        for (long seed = 1; seed <= 500; seed++) {
            if (!Simulation.run(seed, variant).passed()) return seed;
        }
        return -1;
    }

    @Test
    void resumingAtTheCheckpointInsteadOfAfterItIsCaught() {
        assertTrue(firstFailingSeed(Variant.CHECKPOINT_RESUME_AT_P) > 0, "resuming at P, not P + 1, went unnoticed in 500 seeds");
    }

    @Test
    void anInstallRecordingThePositionBeforeTheStateIsCaught() {
        assertTrue(firstFailingSeed(Variant.NON_ATOMIC_INSTALL) > 0, "a non-atomic install went unnoticed in 500 seeds");
    }
}
