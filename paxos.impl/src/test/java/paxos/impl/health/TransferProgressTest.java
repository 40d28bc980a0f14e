package paxos.impl.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A running transfer is DOWN only after moving no byte for STALL_MAX; progress or its end turns it UP. */
class TransferProgressTest {
    private final TransferProgress progress = new TransferProgress();
    private static final long STALL = TransferProgress.STALL_MAX.toNanos();

    private static List<HealthChecks.Transfer> running(long bytes) {
        return List.of(new HealthChecks.Transfer(7, "group 1 receive peer 2", bytes, true));
    }

    @Test
    void stalledTransferIsDownAndProgressOrTheEndMakesItUp() {
        assertTrue(progress.check(running(100), 0).up());
        assertTrue(progress.check(running(100), STALL).up(), "exactly at the bound");
        HealthChecks.Check down = progress.check(running(100), STALL + 1);
        assertFalse(down.up());
        assertTrue(down.detail().startsWith("group 1 receive peer 2 stalled at 100 bytes"), down.detail());
        assertTrue(progress.check(running(101), STALL + 2).up(), "moved again");
        assertEquals("none running", progress.check(List.of(new HealthChecks.Transfer(7, "t", 101, false)), 10 * STALL).detail());
    }
}
