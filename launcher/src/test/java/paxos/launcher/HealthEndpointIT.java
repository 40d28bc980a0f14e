package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /paxos/health} on three real platform JVMs (real Felix, LevelDB, Netty on
 * 127.0.0.1), without login: 200 on a healthy cluster; with two of three SIGKILLed, the third
 * answers 503 with {@code Retry-After} and its {@code quorum} check DOWN; 200 again once both are
 * started again on their files. The console page shows the same result. {@code GET /paxos/metrics}
 * answers in the Prometheus text format (the format itself is checked by paxos.impl's NodeMetricsTest).
 */
class HealthEndpointIT {
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration STEP = Duration.ofSeconds(60);

  @TempDir Path temp;

  @Test
  void quorumLossTurnsHealth503AndRecoveryTurnsIt200Again() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(temp, 3, Map.of("groupCount", "2"))) {
      cluster.awaitReady(START);
      TestSupport.await().atMost(STEP).until(() -> cluster.http(3).get("/paxos/health").status() == 200);
      assertTrue(cluster.console(3).get("/system/console/paxos").body().contains("id='paxos-health'>Health (GET /paxos/health) <b>UP</b>"));
      // /paxos/metrics: served without login by the real bundle (HdrHistogram copied into paxos.impl resolves in Felix)
      TestSupport.await().atMost(STEP).until(() -> {
        String text = cluster.http(3).get("/paxos/metrics").body();
        // traffic from node 1 and fsyncs of node 3's log were observed
        return java.util.regex.Pattern.compile("(?m)^paxos_peer_received_bytes_total\\{peer=\"1\"\\} [1-9]").matcher(text).find()
            && java.util.regex.Pattern.compile("(?m)^paxos_log_fsync_seconds_count [1-9]").matcher(text).find();
      });
      Http.Reply metrics = cluster.http(3).get("/paxos/metrics");
      assertEquals(200, metrics.status(), metrics.toString());
      assertTrue(metrics.header("Content-Type").startsWith("text/plain; version=0.0.4"), metrics.toString());
      for (String family : List.of("paxos_propose_latency_seconds", "paxos_log_fsync_seconds", "paxos_group_execution_lag_instances",
          "paxos_peer_sent_bytes_total", "paxos_health_up"))
        assertTrue(metrics.body().contains("# TYPE " + family + " "), family + " in " + metrics.body());

      long killedAt = System.nanoTime();
      cluster.kill(1);
      cluster.kill(2);
      TestSupport.await().atMost(STEP).until(() -> cluster.http(3).get("/paxos/health").status() == 503);
      System.out.printf("health: 503 on node 3 %d ms after two of three were killed%n", (System.nanoTime() - killedAt) / 1_000_000);
      Http.Reply down = cluster.http(3).get("/paxos/health");
      assertEquals(503, down.status(), down.toString());
      assertTrue(down.header("Retry-After") != null, down.toString());
      Map<String, Object> body = MiniJson.object(down.body());
      assertEquals("DOWN", body.get("status"), down.body());
      Object quorum = ((List<?>) body.get("checks")).stream().filter(c -> "quorum".equals(MiniJson.at(c, "name")))
          .findFirst().orElseThrow();
      assertEquals("DOWN", MiniJson.at(quorum, "status"), down.body());

      long restartedAt = System.nanoTime();
      cluster.startNode(1);
      cluster.startNode(2);
      TestSupport.await().atMost(START).until(() -> cluster.http(3).get("/paxos/health").status() == 200);
      System.out.printf("health: 200 on node 3 %d ms after the two were started again%n", (System.nanoTime() - restartedAt) / 1_000_000);
    }
  }
}
