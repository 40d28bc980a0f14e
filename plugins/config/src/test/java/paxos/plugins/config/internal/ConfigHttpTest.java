package paxos.plugins.config.internal;

import paxos.plugin.support.http.HttpAnswer;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.NotMasterException;
import paxos.api.ProposalTimeoutException;
import paxos.api.ReadConsistency;
import paxos.plugins.config.ConfigCommand;
import paxos.plugins.config.ConfigProperties;

/** The REST semantics against a real state machine behind a fake one-node engine (unit test). */
class ConfigHttpTest {
    @TempDir Path dir;
    ConfigStateMachine store;
    FakePaxosNode node;
    ConfigHttp http;

    @BeforeEach
    void setUp() {
        store = new ConfigStateMachine(dir);
        node = new FakePaxosNode(store);
        http = new ConfigHttp(node, store, Set.of("known.pid", "other.pid")::contains, 1_000);
    }

    @AfterEach
    void tearDown() throws Exception {
        store.close();
    }

    private static byte[] json(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void putThenGetReturnsPropertiesAndVersionAsETag() {
        HttpAnswer put = http.put("known.pid", json("{\"port:Integer\":8080,\"name\":\"a\"}"), null, false);
        assertEquals(200, put.status(), put.bodyText());
        assertEquals(1L, put.version());
        assertEquals(ConfigCommand.GROUP, node.lastProposal.group());
        assertEquals(ConfigCommand.STATE_MACHINE_ID, node.lastProposal.stateMachineId());
        HttpAnswer get = http.get("known.pid", null);
        assertEquals(200, get.status());
        assertEquals(1L, get.version());
        assertEquals("{\"name\":\"a\",\"port:Integer\":8080}", get.bodyText());
        assertEquals(ReadConsistency.LINEARIZABLE, node.lastBarrier);
        assertEquals(8080, store.get(0, "known.pid").orElseThrow().properties().get("port"));
    }

    @Test
    void ifMatchIsCompareAndSet() {
        http.put("known.pid", json("{\"a\":1}"), null, false);
        HttpAnswer stale = http.put("known.pid", json("{\"a\":2}"), "\"7\"", false);
        assertEquals(412, stale.status());
        assertEquals(1L, stale.version(), "the current version comes back");
        HttpAnswer ok = http.put("known.pid", json("{\"a\":3}"), "\"1\"", false);
        assertEquals(200, ok.status());
        assertEquals(2L, ok.version());
        assertEquals(412, http.put("other.pid", json("{}"), "\"5\"", false).status());
        assertEquals(200, http.put("other.pid", json("{}"), "\"0\"", false).status(), "0 means: must not exist");
        assertEquals(400, http.put("known.pid", json("{}"), "W/\"2\"", false).status());
        assertEquals(412, http.delete("known.pid", "\"1\"").status());
        assertEquals(204, http.delete("known.pid", "\"2\"").status());
    }

    @Test
    void unknownPidNeedsForce() {
        HttpAnswer refused = http.put("typo.pid", json("{\"a\":1}"), null, false);
        assertEquals(404, refused.status());
        assertTrue(refused.bodyText().contains("unknown PID"), refused.bodyText());
        assertNull(node.lastProposal, "nothing was proposed");
        assertEquals(200, http.put("typo.pid", json("{\"a\":1}"), null, true).status());
        assertEquals(200, http.put("typo.pid", json("{\"a\":2}"), null, false).status(), "a stored PID is known");
    }

    @Test
    void badInputIsA400WithAShortMessage() {
        assertEquals(400, http.put("known.pid", json("{\"a\":"), null, false).status());
        assertEquals(400, http.put("known.pid", json("{\"a\":null}"), null, false).status());
        assertEquals(400, http.put("known.pid", json("{\"service.pid\":\"x\"}"), null, false).status());
        assertEquals(400, http.put("bad/pid", json("{}"), null, true).status());
        assertEquals(400, http.get("bad pid", null).status());
        assertEquals(400, http.get("known.pid", "eventual").status());
        HttpAnswer large = http.put("known.pid",
                json("{\"a\":\"" + "x".repeat(ConfigProperties.MAX_BYTES) + "\"}"), null, false);
        assertEquals(400, large.status());
        assertTrue(large.bodyText().contains("too large"), large.bodyText());
        assertEquals(413, http.put("known.pid", new byte[ConfigHttp.MAX_BODY_BYTES + 1], null, false).status());
        assertNull(node.lastProposal);
    }

    @Test
    void listDeleteAndMissing() {
        http.put("known.pid", json("{\"a\":1}"), null, false);
        http.put("other.pid", json("{\"b\":1}"), null, false);
        HttpAnswer list = http.list("stale");
        assertEquals("{\"known.pid\":1,\"other.pid\":2}", list.bodyText());
        assertEquals(ReadConsistency.STALE, node.lastBarrier);
        assertEquals(204, http.delete("known.pid", null).status());
        assertEquals(404, http.delete("known.pid", null).status());
        assertEquals(404, http.get("known.pid", "lease").status());
        assertEquals(Map.of("other.pid", 2L), Map.copyOf(store.versions(0)));
    }

    @Test
    void engineFailuresAreShortAnswers() {
        node.failNext = new ProposalTimeoutException("slow");
        assertEquals(504, http.put("known.pid", json("{}"), null, false).status());
        node.failNext = new NotMasterException("not master");
        HttpAnswer r = http.get("known.pid", "lease");
        assertEquals(421, r.status());
        assertEquals("not master", r.bodyText());
    }
}
