package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master election, LEASE reads and readiness on three real platform JVMs (real Felix,
 * LevelDB, Netty on 127.0.0.1), in order on one cluster:
 * <ol>
 *   <li>every group has a master, the same on every node, within seconds of the start (the
 *       election component is immediate: before, it never activated in the platform);</li>
 *   <li>the plugins keep their data under the node's data directory ({@code paxos.data.dir});</li>
 *   <li>master-conditional writes ({@code X-Paxos-Master-Version: current}) succeed, and a
 *       {@code ?consistency=lease} read is served on every node (non-masters forward it to the
 *       master), each answer carrying {@code X-Paxos-Instance};</li>
 *   <li>after SIGKILL of the master's JVM another node becomes master and serves lease reads;</li>
 *   <li>while the killed node starts again, its {@code /kv/key} never answers a 404 without
 *       {@code X-Paxos-Instance} (before: Jetty's HTML 404 for seconds), only 503 +
 *       {@code Retry-After} until the KV serves; {@code /paxos/ready} turns 200 when it does; with
 *       the KV bundle stopped the node answers 503 again and is not ready.</li>
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MasterElectionPlatformIT {

  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration STEP = Duration.ofSeconds(60);
  private static final int GROUPS = 4;
  private static final int GROUP = 1;
  private static final String MASTER_VERSION = "X-Paxos-Master-Version";

  @TempDir static Path temp;
  private LocalCluster cluster;
  private final String key = PluginLifecycleIT.keysOfGroup(GROUP, 1).get(0);
  private int killed;

  @BeforeAll
  void start() throws Exception {
    cluster = LocalCluster.start(temp, 3, Map.of("groupCount", Integer.toString(GROUPS)));
    cluster.awaitReady(START);
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void everyGroupHasOneMasterWithinSecondsOfTheStart() {
    long startNanos = System.nanoTime();
    TestSupport.await().atMost(Duration.ofSeconds(30)).until(() -> agreedMasters(List.of(1, 2, 3)) != null);
    System.out.printf("masters %s agreed by all nodes %d ms after the cluster was ready%n",
        agreedMasters(List.of(1, 2, 3)), (System.nanoTime() - startNanos) / 1_000_000);
  }

  @Test
  @Order(2)
  void pluginDataLivesUnderTheNodesDataDirectory() {
    for (int n = 1; n <= 3; n++) {
      Path data = cluster.settings(n).dataDir();
      assertTrue(Files.isDirectory(data.resolve("statemachines").resolve("kv").resolve("group-0")), "KV data in " + data);
      assertTrue(Files.isDirectory(data.resolve("statemachines").resolve("config")), "config data in " + data);
      assertFalse(Files.exists(cluster.settings(n).nodeDir().resolve("data")), "nothing under the working directory");
    }
  }

  @Test
  @Order(3)
  void masterConditionalWritesAndLeaseReadsOnEveryNode() {
    int master = masterOf(1, GROUP);
    Http.Reply write = conditionalPut(master, "v1");
    assertEquals(200, write.status(), write.toString());
    assertNotNull(write.instance(), "a KV answer carries X-Paxos-Instance");
    for (int n = 1; n <= 3; n++) {
      int node = n;
      TestSupport.await().atMost(STEP).untilAsserted(() -> {
        Http.Reply read = cluster.http(node).get("/kv/" + key + "?consistency=lease");
        assertEquals("200 v1", read.toString(), "lease read on node " + node + " (master " + master + ")");
        assertNotNull(read.instance(), "X-Paxos-Instance on node " + node);
      });
    }
    int other = master % 3 + 1;
    Http.Reply forwarded = cluster.http(other).send("GET", "/kv/" + key + "?consistency=lease", null, null, null,
        Map.of("X-Paxos-Forwarded", "9"));
    assertEquals(421, forwarded.status(), "a forwarded read is never forwarded again: " + forwarded);
  }

  @Test
  @Order(4)
  void aNewMasterAfterTheMastersJvmIsKilled() {
    killed = masterOf(1, GROUP);
    List<Integer> survivors = new ArrayList<>(List.of(1, 2, 3));
    survivors.remove(Integer.valueOf(killed));
    long killNanos = System.nanoTime();
    cluster.kill(killed);
    TestSupport.await().atMost(STEP).until(() -> {
      List<Integer> masters = agreedMasters(survivors);
      return masters != null && masters.get(GROUP) != killed;
    });
    System.out.printf("group %d: master %d killed, new master %d after %d ms%n", GROUP, killed,
        masterOf(survivors.get(0), GROUP), (System.nanoTime() - killNanos) / 1_000_000);
    TestSupport.await().atMost(STEP).untilAsserted(() ->
        assertEquals(200, conditionalPut(survivors.get(1), "v2").status()));
    for (int n : survivors) {
      TestSupport.await().atMost(STEP).untilAsserted(() ->
          assertEquals("200 v2", cluster.http(n).get("/kv/" + key + "?consistency=lease").toString(), "node " + n));
    }
  }

  @Test
  @Order(5)
  void aRestartingNodeAnswers503UntilTheKvServesAndNeverA404WithoutInstance() throws Exception {
    int n = killed == 0 ? 3 : killed;
    if (killed == 0) {
      cluster.kill(n);
    }
    int other = n % 3 + 1;
    TestSupport.await().atMost(STEP).until(() -> cluster.http(other).put("/kv/" + key, "v3").status() == 200);
    cluster.startNode(n);
    // from the JVM's start to the node's first definite answer (anything but nothing or a 503)
    List<Http.Reply> replies = new java.util.concurrent.CopyOnWriteArrayList<>();
    TestSupport.await().atMost(START).pollInterval(Duration.ofMillis(50)).until(() -> {
      Http.Reply reply = cluster.http(n).get("/kv/" + key);
      replies.add(reply);
      return reply.status() != -1 && reply.status() != 503;
    });
    Map<String, Integer> seen = new java.util.TreeMap<>();
    for (Http.Reply r : replies) {
      seen.merge(r.status() + (r.instance() == null ? "" : "+instance"), 1, Integer::sum);
      if (r.status() == 503) {
        assertNotNull(r.header("Retry-After"), "a 503 says when to retry: " + r);
      } else if (r.status() != -1) {
        assertNotNull(r.instance(), "every answer of /kv during start-up is the KV's, or a 503: " + r);
      }
    }
    System.out.println("node " + n + " /kv/" + key + " while starting: " + seen);
    TestSupport.await().atMost(STEP).until(() -> cluster.http(n).get("/paxos/ready").status() == 200);
    assertEquals("200 v3", cluster.http(n).get("/kv/" + key).toString());

    assertEquals(200, cluster.bundleAction(n, "paxos.plugin.kv", "stop").status());
    TestSupport.await().atMost(STEP).untilAsserted(() -> {
      Http.Reply reply = cluster.http(n).get("/kv/" + key);
      assertEquals(503, reply.status(), reply.toString());
      assertNotNull(reply.header("Retry-After"));
      Http.Reply ready = cluster.http(n).get("/paxos/ready");
      assertEquals(503, ready.status(), ready.toString());
      assertTrue(ready.body().contains("paxos.plugin.kv"), ready.toString());
    });
    assertEquals(200, cluster.bundleAction(n, "paxos.plugin.kv", "start").status());
    TestSupport.await().atMost(STEP).until(() -> cluster.http(n).get("/paxos/ready").status() == 200);
    assertEquals("200 v3", cluster.http(n).get("/kv/" + key).toString());
  }

  private Http.Reply conditionalPut(int node, String value) {
    return cluster.http(node).send("PUT", "/kv/" + key, value, null, null, Map.of(MASTER_VERSION, "current"));
  }

  private int masterOf(int node, int group) {
    return ((Long) MiniJson.at(cluster.status(node), "groups", group, "master", "node")).intValue();
  }

  /** Per group, the master every listed node reports, or null unless all have one and agree. */
  private List<Integer> agreedMasters(List<Integer> nodes) {
    List<Integer> masters = null;
    for (int n : nodes) {
      Map<String, Object> status = cluster.status(n);
      if (status == null) {
        return null;
      }
      List<Integer> mine = new ArrayList<>();
      for (int g = 0; g < GROUPS; g++) {
        mine.add(((Long) MiniJson.at(status, "groups", g, "master", "node")).intValue());
      }
      if (mine.contains(0) || (masters != null && !masters.equals(mine))) {
        return null;
      }
      masters = mine;
    }
    return masters;
  }
}
