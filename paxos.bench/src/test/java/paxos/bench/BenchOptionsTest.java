package paxos.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import paxos.api.spi.log.SyncPolicy;

/** {@code ./paxos bench cluster}'s flags: defaults, {@code --route}, and refusals that name the flag. No timings. */
class BenchOptionsTest {

    @Test
    void noFlagsProposeThroughTheEntryNode() {
        BenchOptions o = BenchOptions.parse();
        assertEquals(List.of(1, 16, 64), o.clients());
        assertEquals(1, o.groups());
        assertEquals(SyncPolicy.SYNC, o.sync());
        assertFalse(o.routeToLeader());
        assertEquals(15, o.jitWarmupSeconds());
    }

    @Test
    void jitWarmupIsReadAndBounded() {
        assertEquals(0, BenchOptions.parse("--jit-warmup", "0").jitWarmupSeconds());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--jit-warmup", "-1"));
        assertTrue(e.getMessage().contains("--jit-warmup"), e.getMessage());
    }

    @Test
    void routeLeaderIsRead() {
        BenchOptions o = BenchOptions.parse("--clients", "256", "--value-bytes", "2048", "--groups", "8", "--route", "Leader");
        assertEquals(List.of(256), o.clients());
        assertEquals(2048, o.valueBytes());
        assertEquals(8, o.groups());
        assertTrue(o.routeToLeader());
        assertFalse(BenchOptions.parse("--route", "entry").routeToLeader());
    }

    @Test
    void theOtherBenchmarksConstructorRoutesThroughTheEntryNode() {
        assertFalse(new BenchOptions(List.of(1), 100, 1, 1, 0, false, SyncPolicy.NONE, 0).routeToLeader());
    }

    @Test
    void badRouteIsRefusedNamingTheFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--route", "nearest"));
        assertTrue(e.getMessage().contains("--route"), e.getMessage());
    }
}
