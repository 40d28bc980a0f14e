package paxos.impl.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The console's highlighted rows, the lag column and the transfer progress bar, from status maps. */
class ConsoleLiveTest {
    private static Map<String, Object> group(String state, long chosen, long executed, String machineState) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("state", state);
        g.put("chosenInstance", chosen);
        g.put("executedInstance", executed);
        g.put("stateMachines", List.of(Map.of("state", machineState)));
        return g;
    }

    @Test
    void unhealthyRowsAreTheOnesAnOperatorMustLookAt() {
        assertFalse(ConsoleLive.unhealthy(group("RUNNING", 10, 10, "RUNNING")));
        assertFalse(ConsoleLive.unhealthy(group("RUNNING", 10, 10, "STANDBY")));
        assertTrue(ConsoleLive.unhealthy(group("CATCHING_UP", 10, 10, "RUNNING")));
        assertTrue(ConsoleLive.unhealthy(group("RUNNING", 10, 10, "FAILED")));
        assertTrue(ConsoleLive.unhealthy(group("RUNNING", 20_000, 10, "RUNNING")));
    }

    @Test
    void lagIsShownOnlyForFreshReportsAndOldOnesSayHowOld() {
        Map<String, Object> g = group("RUNNING", 10, 10, "RUNNING");
        Map<String, Object> peers = new LinkedHashMap<>();
        peers.put("2", Map.of("chosen", 8L, "reportedMillisAgo", 80L, "lag", 2L));
        Map<String, Object> stale = new LinkedHashMap<>();
        stale.put("chosen", 1L);
        stale.put("reportedMillisAgo", 41_000L);
        stale.put("lag", null);
        peers.put("3", stale);
        g.put("peerChosen", peers);
        assertEquals("2: 2 (80 ms ago); 3: ? (report 41000 ms old)", ConsoleLive.peerLag(g));
    }

    @Test
    void aRunningTransferHasAProgressBarRateAndEta() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("group", 1);
        t.put("direction", "receive");
        t.put("peer", 2);
        t.put("phase", "receiving");
        t.put("bytes", 250L);
        t.put("bytesTotal", 1000L);
        t.put("bytesPerSecond", 100L);
        t.put("outcome", null);
        String html = ConsoleLive.transfers(List.of(t));
        assertTrue(html.contains("<progress max='1000' value='250'></progress>"), html);
        assertTrue(html.contains("250 / 1000 bytes, 100 B/s, ETA 8 s"), html);
        assertTrue(ConsoleLive.html(Map.of("checkpointTransfers", List.of())).contains("id='paxos-chart-latency'"));
        assertTrue(ConsoleLive.html(Map.of("checkpointTransfers", List.of())).contains("id='paxos-chart-rtt'"), "round trip per peer");
    }
}
