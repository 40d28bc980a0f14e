package paxos.sim;

import org.junit.jupiter.api.Test;

/**
 * With membership changes drawn, a core whose changes come into force at the next instance while
 * the leader keeps its window (instances in flight under the old membership) is caught deciding
 * one instance twice by the agreement oracle (the production delay passes the same seeds' oracle).
 */
class MembershipVariantTest {
    @Test
    void aChangeInForceAtOnceWithInstancesInFlightIsCaughtChoosingTwoValues() {
        String before = System.getProperty("paxos.sim.membership");
        System.setProperty("paxos.sim.membership", "true");
        try {
            for (long seed = 1; seed <= 300; seed++) {
                SimResult r = Simulation.run(seed, Variant.IMMEDIATE_MEMBERSHIP);
                if (r.violations().stream().anyMatch(v -> v.contains("chosen with two values"))) return;
            }
            throw new AssertionError("no instance chosen twice with immediate membership changes in 300 seeds");
        } finally {
            if (before == null) System.clearProperty("paxos.sim.membership");
            else System.setProperty("paxos.sim.membership", before);
        }
    }
}
