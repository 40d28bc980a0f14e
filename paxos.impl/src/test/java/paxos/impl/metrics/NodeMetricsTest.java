package paxos.impl.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.api.Proposed;
import paxos.api.spi.transport.PeerStatus;
import paxos.api.statemachine.Command;
import paxos.impl.health.HealthChecks;
import paxos.impl.log.InMemoryLogStore;
import paxos.impl.runtime.Engine;
import paxos.impl.runtime.EngineConfig;
import paxos.testkit.LocalNetwork;

/** {@code /paxos/metrics}' text against a strict parser of the format, from a real one-node engine. */
class NodeMetricsTest {
    @TempDir
    Path dir;
    private final LocalNetwork network = new LocalNetwork(List.of(1));
    private Engine engine;

    @AfterEach
    void stop() throws Exception {
        if (engine != null) engine.close();
        network.close();
    }

    private NodeMetrics startNode() {
        EngineConfig config = EngineConfig.builder(1, "1@127.0.0.1:7001").dataDir(dir).groupCount(2).tickMillis(5).build();
        InMemoryLogStore store = new InMemoryLogStore();
        engine = new Engine(config, store, network.transport(1));
        engine.register(0, 1, "echo", (batch, results) -> {
            for (Command c : batch.commands()) results.complete(c.index(), c.value().length);
        });
        engine.start();
        List<PeerStatus> peers = List.of(new PeerStatus(2, "127.0.0.1:7002", true, true, 5, 1, "a \"quoted\"\nerror", 30, 1));
        return new NodeMetrics(new NodeMetrics.Sources(engine, "demo \"c\\1\"", store::stats, () -> peers, engine::transfers,
                new HealthChecks(engine, dir)));
    }

    @Test
    void everyFamilyParsesStrictlyAndFollowsTheNamingConventions() throws Exception {
        NodeMetrics metrics = startNode();
        MeasuredNode node = new MeasuredNode(engine, metrics);
        for (int i = 0; i < 20; i++) node.propose(0, 1, new byte[] {1, 2, 3}).toCompletableFuture().get(30, TimeUnit.SECONDS);
        List<CompletionStage<Proposed>> batch = node.proposeAll(List.of(paxos.api.Proposal.of(0, 1, new byte[1]),
                paxos.api.Proposal.of(0, 1, new byte[2])));
        for (CompletionStage<Proposed> s : batch) s.toCompletableFuture().get(30, TimeUnit.SECONDS);
        metrics.synced(2_000_000, 12, 4096);
        metrics.sent(2, 100);
        metrics.received(2, 60);
        metrics.received(2, 40);
        metrics.roundTrip(2, 300_000);

        Map<String, PrometheusTextParser.Family> families = PrometheusTextParser.parse(metrics.scrape());

        for (PrometheusTextParser.Family f : families.values()) {
            assertTrue(f.name().startsWith("paxos_"), f.name());
            assertTrue(f.help() != null && !f.help().isBlank(), f.name() + " has help");
            assertEquals(f.type().equals("counter"), f.name().endsWith("_total"), f.name() + " is a counter iff _total");
            assertTrue(!f.name().contains("millis") && !f.name().contains("nanos"), f.name() + ": base units only");
        }
        PrometheusTextParser.Family latency = families.get("paxos_propose_latency_seconds");
        assertEquals("summary", latency.type());
        assertEquals(22.0, value(latency, "paxos_propose_latency_seconds_count", Map.of("group", "0")));
        double p50 = value(latency, "paxos_propose_latency_seconds", Map.of("group", "0", "quantile", "0.5"));
        double max = value(latency, "paxos_propose_latency_seconds", Map.of("group", "0", "quantile", "1"));
        assertTrue(p50 > 0 && p50 <= max && max < 30, p50 + " <= " + max + " seconds");
        assertEquals(0.0, value(latency, "paxos_propose_latency_seconds_count", Map.of("group", "1")));
        assertEquals(0.002, value(families.get("paxos_log_fsync_seconds"), "paxos_log_fsync_seconds", Map.of("quantile", "0.5")), 0.002 * 0.01, "1 % resolution");
        assertEquals(12.0, value(families.get("paxos_log_fsync_batch_records"), "paxos_log_fsync_batch_records_sum", Map.of()));
        assertEquals(2.0, value(families.get("paxos_peer_received_messages_total"), "paxos_peer_received_messages_total", Map.of("peer", "2")));
        assertEquals(100.0, value(families.get("paxos_peer_received_bytes_total"), "paxos_peer_received_bytes_total", Map.of("peer", "2")));
        assertEquals(100.0, value(families.get("paxos_peer_sent_bytes_total"), "paxos_peer_sent_bytes_total", Map.of("peer", "2")));
        assertEquals(0.0003, value(families.get("paxos_peer_round_trip_seconds"), "paxos_peer_round_trip_seconds",
                Map.of("peer", "2", "quantile", "0.99")), 0.0003 * 0.01);
        assertEquals(1.0, value(families.get("paxos_group_state"), "paxos_group_state", Map.of("group", "0", "state", "RUNNING")));
        // and the engine's own system commands (the state machine's version coming into force)
        assertTrue(value(families.get("paxos_group_executed_commands_total"), "paxos_group_executed_commands_total", Map.of("group", "0")) >= 22);
        assertEquals(0.0, value(families.get("paxos_group_execution_lag_instances"), "paxos_group_execution_lag_instances", Map.of("group", "0")));
        assertEquals("demo \"c\\1\"", families.get("paxos_node_info").samples().get(0).labels().get("cluster"), "escaped and read back");
        assertTrue(families.containsKey("paxos_health_check_up"));
    }

    @Test
    void theParserRejectsWhatTheFormatForbids() {
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("# TYPE a_total counter\na_total 1\n# TYPE a_total counter\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("# TYPE a gauge\na{x=\"\\t\"} 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("# TYPE a gauge\na 1,5\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("# TYPE a summary\na 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("# TYPE a gauge\n# TYPE b gauge\nb 1\na 1\n"));
        assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("# TYPE a gauge\na 1"));
    }

    @Test
    void quantilesForgetValuesOlderThanTheWindowButCountAndSumDoNot() {
        Distribution d = new Distribution();
        d.record(1_000);
        assertEquals(1_000, d.snapshot(0, 1).quantileValues()[0], 10, "1 % resolution");
        d.record(5);
        Distribution.Snapshot later = d.snapshot(Distribution.WINDOW_NANOS + 10_000_000_000L, 1);
        assertEquals(5, later.quantileValues()[0], 0.01);
        assertEquals(2, later.count());
        assertEquals(1_005, later.sum(), 0.01);
        assertTrue(Double.isNaN(d.snapshot(3 * Distribution.WINDOW_NANOS, 1).quantileValues()[0]), "empty window: no quantile");
    }

    private static double value(PrometheusTextParser.Family f, String name, Map<String, String> labels) {
        return f.samples().stream().filter(s -> s.name().equals(name) && s.labels().equals(labels)).findFirst()
                .orElseThrow(() -> new AssertionError(name + labels + " not in " + f.samples())).value();
    }
}
