package paxos.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The production core without pre-vote deposes healthy leaders when a cut-off voter comes back:
 * {@link RejoinCheck} catches it within a few seeds (the correct build passes the same check in
 * every seed of {@code SimulationTest}).
 */
class RejoinVariantTest {
    @Test
    void aCoreWithoutPreVoteIsCaughtDeposingHealthyLeadersAfterAHeal() {
        for (long seed = 1; seed <= 50; seed++) {
            SimResult r = Simulation.run(seed, Variant.NO_PRE_VOTE);
            if (r.violations().stream().anyMatch(v -> v.contains("disruptive rejoin"))) return;
        }
        throw new AssertionError("no disruptive rejoin found without pre-vote in 50 seeds");
    }
}
