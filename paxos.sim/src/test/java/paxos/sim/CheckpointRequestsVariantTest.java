package paxos.sim;

import org.junit.jupiter.api.Test;

/**
 * A checkpoint transfer without the executed-requests table (production before issue 16's fix)
 * lets the installing node execute a request chosen twice around the checkpoint a second time:
 * the oracles (at most once, or replicas executing different commands at one instance) catch it
 * within a bounded number of seeds; the correct build carries the table through the production
 * codec and passes them in every seed of {@code SimulationTest}.
 */
class CheckpointRequestsVariantTest {
    @Test
    void aCheckpointWithoutTheExecutedRequestsTableIsCaught() {
        for (long seed = 1; seed <= 2000; seed++) {
            SimResult r = Simulation.run(seed, Variant.CHECKPOINT_WITHOUT_REQUESTS);
            if (r.violations().stream().anyMatch(v -> v.contains("and again at") || v.contains("where another replica executed")))
                return;
        }
        throw new AssertionError("no request executed twice after a checkpoint install without its table in 2000 seeds");
    }
}
