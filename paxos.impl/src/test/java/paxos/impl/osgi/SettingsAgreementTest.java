package paxos.impl.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cluster-wide settings compared with each peer's status: differences found, per-node ones and silent peers ignored. */
class SettingsAgreementTest {
    private final Map<String, String> bodies = new HashMap<>();

    private static String status(int groups, int maxValueBytes, long holdLogCount) {
        return "{\"node\":2,\"settings\":{\"groupCount\":" + groups + ",\"holdLogCount\":" + holdLogCount + ",\"batchBytesMax\":4194304,"
                + "\"maxValueBytes\":" + maxValueBytes + ",\"dataDir\":\"/d\"},\"health\":{}}";
    }

    @Test
    void onlyClusterWideDifferencesCountAndAnUnreachablePeerIsSkipped() {
        Map<String, Object> own = Map.of("groupCount", 4, "holdLogCount", 1000L, "batchBytesMax", 4194304, "maxValueBytes", 1048576);
        SettingsAgreement a = new SettingsAgreement(1, "1@127.0.0.1:8081,2@127.0.0.1:8082,3@127.0.0.1:8083", () -> own, bodies::get);
        bodies.put("http://127.0.0.1:8082/paxos/status", status(8, 1048576, 99));
        a.check();
        assertEquals(List.of(new SettingsAgreement.Disagreement(2, "groupCount", "4", "8")), a.disagreements());
        bodies.put("http://127.0.0.1:8082/paxos/status", status(4, 1048576, 5));
        a.check();
        assertEquals(List.of(), a.disagreements(), "holdLogCount is per node");
        assertEquals(Map.of("groupCount", "4", "holdLogCount", "5", "batchBytesMax", "4194304", "maxValueBytes", "1048576",
                "dataDir", "/d"), SettingsAgreement.settingsOf(status(4, 1048576, 5)));
    }
}
