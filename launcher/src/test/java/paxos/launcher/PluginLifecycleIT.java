package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import paxos.launcher.node.NodeSettings;

/**
 * State machine plugins and the node's configuration changed at run time in a real 3-node
 * cluster (three platform JVMs, LevelDB, Netty on 127.0.0.1), through the same doors an
 * operator uses: the shared deploy folder, the web console's bundle actions and configMgr.
 * <ol>
 *   <li>The KV bundle, absent from the running cluster, is dropped into deploy/ and serves.</li>
 *   <li>KV stopped on node 3: its group waits there (WAITING, waitingFor [1]) while group 0
 *       (the config plugin) keeps executing on node 3.</li>
 *   <li>KV started again on node 3: the group catches up; the replica digests are equal.</li>
 *   <li>A ConfigAdmin change of PID paxos.node is applied (visible in /paxos/status).</li>
 *   <li>Invalid configurations (unknown member, port in use, unwritable directory): the node
 *       component does not activate, the reason is in node.log and on the console's
 *       components page, the framework keeps running; a valid one brings the node back.</li>
 * </ol>
 */
class PluginLifecycleIT {

  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration STEP = Duration.ofSeconds(60);
  private static final String KV = "paxos.plugin.kv";
  private static final int GROUPS = 4;
  private static final int KV_GROUP = 1; // not group 0, where the config plugin lives
  private static final String NODE_COMPONENT = "paxos.impl.osgi.NodeComponent";
  private static final String TRANSPORT_COMPONENT = "paxos.transport.netty.osgi.TransportComponent";

  @TempDir Path temp;
  private LocalCluster cluster;

  @AfterEach
  void stop() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void kvDeployStopCatchUpAndNodeReconfiguration() throws Exception {
    long startNanos = System.nanoTime();
    cluster = LocalCluster.start(temp, 3, Map.of("groupCount", Integer.toString(GROUPS)));
    cluster.awaitReady(START);
    System.out.printf("cluster ready in %d ms%n", millisSince(startNanos));

    // 1. take KV out of the running cluster, then deploy it at run time
    for (int n = 1; n <= 3; n++) {
      assertEquals(200, cluster.bundleAction(n, KV, "uninstall").status());
    }
    for (int n = 1; n <= 3; n++) {
      int node = n;
      // without the KV bundle the platform's not-ready fallback answers /kv/*: 503, never a 404
      TestSupport.await().atMost(STEP).until(() -> cluster.bundleId(node, KV) < 0
          && cluster.http(node).get("/kv/absent").status() == 503);
    }
    LocalCluster.copyBundleFromPlatform(KV, cluster.sharedDeploy());
    List<String> keys = keysOfGroup(KV_GROUP, 21);
    Map<String, String> written = new LinkedHashMap<>();
    TestSupport.await().atMost(STEP).until(() -> cluster.http(1).put("/kv/" + keys.get(0), "v0").status() == 200);
    written.put(keys.get(0), "v0");
    for (int n = 1; n <= 3; n++) {
      int node = n;
      TestSupport.await().atMost(STEP).untilAsserted(() ->
          assertEquals("200 v0", cluster.http(node).get("/kv/" + keys.get(0)).toString()));
    }

    // 2. stop KV on node 3: its group waits there, group 0 keeps working there
    assertEquals(200, cluster.bundleAction(3, KV, "stop").status());
    TestSupport.await().atMost(STEP).until(() -> "Resolved".equals(cluster.bundleState(3, KV)));
    for (int i = 1; i < keys.size(); i++) {
      Http.Reply reply = cluster.http(1 + i % 2).put("/kv/" + keys.get(i), "value-" + i);
      assertEquals(200, reply.status(), "write " + i + ": " + reply);
      written.put(keys.get(i), "value-" + i);
    }
    TestSupport.await().atMost(STEP).untilAsserted(() -> {
      Object group = MiniJson.at(cluster.status(3), "groups", KV_GROUP);
      assertEquals("WAITING", MiniJson.at(group, "state"), String.valueOf(group));
      assertEquals(List.of(1L), MiniJson.at(group, "waitingFor"));
    });
    long executedBefore = executed(3, 0);
    Http.Reply configWrite = cluster.http(3).put("/config/it.lifecycle?force=true", "{\"n\": 7}");
    assertEquals(200, configWrite.status(), configWrite.toString());
    Http.Reply configRead = cluster.http(3).get("/config/it.lifecycle");
    assertEquals(200, configRead.status(), configRead.toString());
    assertTrue(configRead.body().contains("\"n\":7"), configRead.toString());
    Map<String, Object> waiting = cluster.status(3);
    assertEquals("RUNNING", MiniJson.at(waiting, "groups", 0, "state"), "group 0 is not held up by KV");
    assertTrue(executed(3, 0) > executedBefore, "group 0 executed on node 3 while KV was stopped");
    assertEquals("WAITING", MiniJson.at(waiting, "groups", KV_GROUP, "state"), "KV's group still waits");

    // 3. start KV on node 3: it catches up, and its data equals the other replicas'
    assertEquals(200, cluster.bundleAction(3, KV, "start").status());
    TestSupport.await().atMost(STEP).until(() ->
        "RUNNING".equals(MiniJson.at(cluster.status(3), "groups", KV_GROUP, "state")));
    TestSupport.await().atMost(STEP).untilAsserted(() -> {
      for (Map.Entry<String, String> e : written.entrySet()) {
        assertEquals("200 " + e.getValue(), cluster.http(3).get("/kv/" + e.getKey()).toString(), e.getKey());
      }
    });
    assertSameDigest(written.size());

    // 4. a valid ConfigAdmin change is applied: the component restarts with it and rejoins
    Map<String, String> config = new LinkedHashMap<>(cluster.settings(3).engineConfig());
    config.put("groupCount", Integer.toString(GROUPS));
    config.put("holdLogCount", "4242");
    cluster.applyConfig(3, NodeSettings.PID, config);
    TestSupport.await().atMost(STEP).until(() -> {
      Map<String, Object> status = cluster.status(3);
      return status != null && Long.valueOf(4242).equals(MiniJson.at(status, "settings", "holdLogCount"))
          && cluster.ready(3);
    });
    assertEquals(200, cluster.http(3).put("/kv/" + keys.get(1), "after-reconfiguration").status());

    // 5. invalid configurations: clear error, component inactive, framework up; then valid again.
    // Node ID and members are the transport's settings (paxos.transport.netty)
    Map<String, String> transport = cluster.deployedTransportConfig(3);
    Map<String, String> unknownMember = new LinkedHashMap<>(transport);
    unknownMember.put("nodeId", "9");
    expectActivationFailure(NodeSettings.TRANSPORT_PID, unknownMember, TRANSPORT_COMPONENT,
        "nodeId 9 is not one of the members");

    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      Map<String, String> portInUse = new LinkedHashMap<>(transport);
      portInUse.put("members", transport.get("members").replace(
          "3@127.0.0.1:" + cluster.settings(3).port(), "3@127.0.0.1:" + taken.getLocalPort()));
      // the transport binds when the engine starts it: the engine's activation fails
      expectActivationFailure(NodeSettings.TRANSPORT_PID, portInUse, NODE_COMPONENT,
          "cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
    cluster.applyConfig(3, NodeSettings.TRANSPORT_PID, transport);

    // a path below a regular file can never be created, even by root (who may write anywhere)
    Path notADirectory = Files.writeString(temp.resolve("a-file"), "x");
    Map<String, String> unwritable = new LinkedHashMap<>(config);
    unwritable.put("dataDir", notADirectory.resolve("paxos").toString());
    expectActivationFailure(NodeSettings.PID, unwritable, NODE_COMPONENT, notADirectory.resolve("paxos").toString());

    cluster.applyConfig(3, NodeSettings.PID, config);
    TestSupport.await().atMost(STEP).until(() -> cluster.ready(3));
    TestSupport.await().atMost(STEP).untilAsserted(() ->
        assertEquals("200 after-reconfiguration", cluster.http(3).get("/kv/" + keys.get(1)).toString()));

    // 6. saving the store's form restarts the engine around the store: the engine stops before
    // the store closes (static reference) and starts again on the reopened store
    long logBefore = Files.size(cluster.log(3));
    Map<String, String> store = new LinkedHashMap<>(cluster.settings(3).storeConfig());
    store.put("cleanerIntervalMillis", "1500");
    cluster.applyConfig(3, NodeSettings.STORE_PID, store);
    String storeDir = cluster.settings(3).dataDir().resolve("log").toString();
    TestSupport.await().atMost(STEP).untilAsserted(() -> {
      String log = Files.readString(cluster.log(3)).substring((int) logBefore);
      int engineStopped = log.indexOf("node 3 stopped");
      int storeClosed = log.indexOf("log store closed: " + storeDir);
      int storeOpened = log.indexOf("log store open: " + storeDir, Math.max(storeClosed, 0));
      int engineStarted = log.indexOf("node 3 started", Math.max(storeOpened, 0));
      assertTrue(engineStopped >= 0 && storeClosed > engineStopped && storeOpened > storeClosed
          && engineStarted > storeOpened, "engine stopped, store closed, store opened, engine started:\n" + log);
    });
    TestSupport.await().atMost(STEP).until(() -> cluster.ready(3));
    TestSupport.await().atMost(STEP).untilAsserted(() ->
        assertEquals("200 after-reconfiguration", cluster.http(3).get("/kv/" + keys.get(1)).toString()));
    System.out.printf("plugin lifecycle test done in %d ms%n", millisSince(startNanos));
  }

  /**
   * Posts a bad configuration of {@code pid} to node 3 and checks how the failure shows: the
   * engine is inactive, the log and the failing {@code component}'s console page name the reason.
   */
  private void expectActivationFailure(String pid, Map<String, String> config, String component, String reason)
      throws Exception {
    long logBefore = Files.size(cluster.log(3));
    cluster.applyConfig(3, pid, config);
    TestSupport.await().atMost(STEP).untilAsserted(() -> {
      assertEquals(404, cluster.http(3).get("/paxos/status").status(), "the node component is inactive");
      String log = Files.readString(cluster.log(3)).substring((int) logBefore);
      assertTrue(log.contains(reason), "node.log names the reason '" + reason + "':\n" + log);
      String details = cluster.componentDetails(3, component);
      assertTrue(details.startsWith("state: failed activation") && details.contains(reason),
          "the components page names '" + reason + "':\n" + details);
    });
    assertEquals(200, cluster.console(3).get("/system/console/bundles.json").status(), "the framework runs on");
    assertEquals(200, cluster.http(1).put("/kv/" + keysOfGroup(KV_GROUP, 1).get(0), "majority").status(),
        "nodes 1 and 2 keep serving");
  }

  private void assertSameDigest(int entries) {
    Set<String> digests = new java.util.HashSet<>();
    for (int n = 1; n <= 3; n++) {
      Http.Reply reply = cluster.http(n).get("/kv?digest");
      assertEquals(200, reply.status(), reply.toString());
      Map<String, Object> digest = MiniJson.object(reply.body());
      assertEquals((long) entries, digest.get("entries"), "node " + n + ": " + reply);
      digests.add((String) digest.get("digest"));
    }
    assertEquals(1, digests.size(), "every replica holds the same data: " + digests);
  }

  private long executed(int n, int group) {
    return (Long) MiniJson.at(cluster.status(n), "groups", group, "executedInstance");
  }

  /** {@code count} keys the KV maps to {@code group} (KvHttp.groupOf: hashCode mod groupCount). */
  static List<String> keysOfGroup(int group, int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < count; i++) {
      String key = "key-" + i;
      if (Math.floorMod(key.hashCode(), GROUPS) == group) {
        keys.add(key);
      }
    }
    return keys;
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
