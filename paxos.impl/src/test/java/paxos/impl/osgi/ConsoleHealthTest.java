package paxos.impl.osgi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The console shows the health result and names the failing checks. */
class ConsoleHealthTest {

    @Test
    void failingChecksAreNamedWithTheirDetail() {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("node", 1);
        model.put("cluster", "c");
        model.put("groups", List.of());
        model.put("peers", List.of());
        model.put("log", Map.of("fsyncs", 0, "recordsAppended", 0, "cleaningPaused", false));
        model.put("health", Map.of("status", "DOWN", "checks", List.of(
                Map.of("name", "quorum", "status", "DOWN", "detail", "group 0: 1 of 3 voters reachable, need 2"),
                Map.of("name", "diskSpace", "status", "UP", "detail", "plenty"))));
        String html = ConsoleHtml.render(model, null);
        assertTrue(html.contains("<p class='statline' id='paxos-health'>Health (GET /paxos/health) <b>DOWN</b> "
                + "[quorum: group 0: 1 of 3 voters reachable, need 2]</p>"), html);
    }
}
