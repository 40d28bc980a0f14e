package paxos.impl.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The console's Replicas table: divergences and missing state machines per group, escaped. */
class ReplicaModelTest {
    private static Map<String, Object> group(int g, List<Object> divergences, Map<String, Object> lacking,
                                             Map<String, Object> registered) {
        return Map.of("group", g, "divergences", divergences, "lacking", lacking, "registered", registered);
    }

    @Test
    void showsWhichNodesLackWhichStateMachineAndDivergencesAndCountsQuietGroups() {
        Map<String, Object> divergence = Map.of("stateMachine", 1, "instance", 47L, "differingNodes", List.of(3),
                "majority", true, "markedHere", true, "phase", "INSTALLING", "note", "<pulling>");
        Map<String, Object> registered = Map.of("1", Map.of("7", Map.of("version", "1.2.0", "state", "RUNNING")),
                "2", Map.of("7", Map.of("version", "1.2.0", "state", "RUNNING")), "3", Map.of());
        Map<String, Object> model = Map.of("replicas", List.of(
                group(0, List.of(divergence), Map.of("7", List.of(3)), registered),
                group(1, List.of(), Map.of(), Map.of())));
        String html = ReplicaModel.html(model);
        assertTrue(html.contains("state machine 1 at instance 47: nodes [3] differ from the majority; DIVERGED here, INSTALLING"), html);
        assertTrue(html.contains("state machine 7 (version 1.2.0 on nodes [1, 2]) missing on nodes [3]"), html);
        assertTrue(html.contains("&lt;pulling&gt;") && !html.contains("<pulling>"), "escaped");
        assertTrue(html.contains("'>1 group(s) with equal digests"), html);
        assertEquals("", ReplicaModel.html(Map.of()), "nothing without the replicas part");
    }
}
