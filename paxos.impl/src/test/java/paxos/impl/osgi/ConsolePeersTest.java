package paxos.impl.osgi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The console's peer table shows liveness from the last message heard, and when the last error was. */
class ConsolePeersTest {

    @Test
    void peerRowsShowReachabilityWithItsAgeAndTheErrorTime() {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("node", 1);
        model.put("cluster", "c");
        model.put("groups", List.of());
        model.put("peers", List.of(peer(2, true, 40, null, null), peer(3, false, 3200, "connection refused", 1_000L),
                peer(4, false, -1, null, null)));
        model.put("log", Map.of("fsyncs", 0, "recordsAppended", 0, "cleaningPaused", false));
        String html = ConsoleHtml.render(model, null);
        assertTrue(html.contains("<tr data-peer='2' data-reachable='true'>"), html);
        assertTrue(html.contains("<td class='reachable'>yes (40 ms ago)</td>"), html);
        assertTrue(html.contains("<td class='reachable'>NO (silent 3200 ms)</td>"), html);
        assertTrue(html.contains("<td class='errorAt'>1970-01-01T00:00:01Z</td>"), html);
        assertTrue(html.contains("<td class='reachable'>NO (never heard)</td>"), html);
    }

    private static Map<String, Object> peer(int node, boolean reachable, long heard, String error, Long errorAt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", node);
        m.put("address", "127.0.0.1:700" + node);
        m.put("reachable", reachable);
        m.put("lastHeardMillisAgo", heard);
        m.put("connected", reachable);
        m.put("authenticated", reachable);
        m.put("lastError", error);
        m.put("lastErrorAtMillis", errorAt);
        return m;
    }
}
