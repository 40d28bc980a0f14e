package paxos.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import paxos.impl.core.BatchCodec;
import paxos.impl.core.BatchCommand;
import paxos.impl.exec.SystemCommand;

/**
 * The oracle's model of the version in force applies exactly once as the executor does: a second
 * copy of a request (same proposer node and request ID, re-forwarded to a new leader and chosen
 * again) is not a second activation, whatever the first copy's compare-and-set decided.
 */
class OracleVersionsTest {
    private static final int ID = SimNode.STATE_MACHINE_ID;
    private final TreeMap<Long, byte[]> chosen = new TreeMap<>();
    private final OracleVersions versions = new OracleVersions(1, ID);

    private void choose(BatchCommand... commands) {
        chosen.put((long) chosen.size(), BatchCodec.encode(List.of(commands)));
    }

    private static BatchCommand activate(int node, long requestId, String version, String expected) {
        return new BatchCommand(0, -1, node, requestId, new SystemCommand.ActivateVersion(ID, version, expected).encode());
    }

    @Test
    void aCopyOfAFailedCompareAndSetDoesNotActivateLater() {
        BatchCommand v2IfV1 = activate(2, 7, "v2", "v1");
        choose(v2IfV1); // 0: nothing in force, the compare-and-set fails
        choose(activate(1, 1, "v1", "*")); // 1
        choose(v2IfV1); // 2: the re-forwarded copy, with v1 in force: skipped, not a success
        choose(new BatchCommand(ID, -1, 3, 1, new byte[] {1})); // 3
        assertNull(versions.at(0, 1, chosen));
        assertEquals("v1", versions.at(0, 2, chosen));
        assertEquals("v1", versions.at(0, 4, chosen), "the copy of a request executes (and activates) at most once");
        assertEquals(1, versions.activations());
    }

    @Test
    void aCopyOfAnUnconditionalActivationDoesNotUndoALaterOne() {
        BatchCommand v2 = activate(2, 7, "v2", "*");
        choose(v2, v2); // 0: both copies in one instance: once
        choose(activate(1, 1, "v3", "*")); // 1
        choose(v2); // 2: a late copy
        assertEquals("v3", versions.at(0, 3, chosen));
        assertEquals(2, versions.activations());
    }

    @Test
    void seedsThatFailedTheOracleBeforePass() {
        List<String> failures = new ArrayList<>();
        for (long seed : new long[] {10703, 10724}) {
            SimResult r = Simulation.run(seed);
            if (!r.violations().isEmpty()) failures.add(seed + ": " + r.violations());
        }
        assertEquals(List.of(), failures);
    }
}
