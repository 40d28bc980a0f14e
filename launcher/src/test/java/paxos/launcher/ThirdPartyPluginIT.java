package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Third-party state machines (the counter test plugins, {@code testplugins/}, ID 4242) deployed
 * while one cluster of three real platform JVMs runs, one problem of issue 10 after the other:
 * <ol>
 *   <li><b>Poison proposal:</b> counter 1.1.0 configured (ConfigAdmin, through the replicated
 *       config store) for groups 0..2 only; a command to 4242 in group 3 is refused before the
 *       log (404 naming the state machine) and every group keeps executing KV writes.</li>
 *   <li><b>Rolling upgrade:</b> 1.2.0 deployed next to 1.1.0 one node at a time (per-node
 *       folders; 1.2.0 is STANDBY, 1.1.0 executes); {@code multiply} sent before the activation
 *       is "unknown" on every node; 1.2.0 activated through the console REST while node 3 lacks
 *       it: node 3's group waits naming {@code 4242@1.2.0} instead of executing {@code multiply}
 *       with 1.1.0; deployed there, it resumes and every node reports the same value.</li>
 *   <li><b>Side by side, then the older removed:</b> removing 1.1.0's jar leaves 1.2.0 serving,
 *       no group waiting.</li>
 *   <li><b>Failure containment:</b> 1.3.0.poison deployed and activated; {@code poison} makes it
 *       FAILED in that group on every node with the exception's message, KV in the other groups
 *       answers; a fix (1.2.0's code registered as version 1.3.0.poison through ConfigAdmin) is
 *       REFUSED while the failed service is there — a true duplicate — and takes over when the
 *       poison jar is removed: the group resumes without a restart (same PIDs, the engine started once
 *       per node), all nodes agree.</li>
 * </ol>
 */
class ThirdPartyPluginIT {

  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration STEP = Duration.ofSeconds(60);
  private static final String COUNTER = "paxos.test.counter";
  private static final long ID = 4242;
  private static final int GROUPS = 4;
  /** The counter's group in every step. */
  private static final int G = 2;
  /** The group no counter serves in step 1. */
  private static final int BARE = 3;
  private static final String V1_PID = "paxos.testplugins.counter.v1.CounterV1";
  private static final String V2_PID = "paxos.testplugins.counter.v2.CounterV2";

  /** Kept when the test fails: the nodes' logs are in node-N/node.log. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path temp;
  private LocalCluster cluster;

  @AfterEach
  void stop() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void thirdPartyPluginsCannotWedgeSplitOrSilentlyDivergeTheCluster() throws Exception {
    cluster = LocalCluster.start(temp, 3, Map.of("groupCount", String.valueOf(GROUPS)));
    cluster.awaitReady(START);
    long started = System.nanoTime();

    // 1. poison proposal: group 3 has no counter on any node
    putConfig(V1_PID, "{\"paxos.statemachine.groups\":\"0,1,2\"}");
    copy(TestPlugins.counter("v1"), cluster.sharedDeploy().resolve("counter-v1.jar"));
    forEachNode(n -> {
      assertEquals(List.of("1.1.0 RUNNING"), machines(n, G), groupJson(n, G));
      assertEquals(List.of(), machines(n, BARE), "group 3 has no counter");
      assertEquals(200, cluster.http(n).get("/counter/" + G).status());
    });
    for (int n = 1; n <= 3; n++) {
      Http.Reply refused = post(n, BARE, "add 1");
      assertEquals(404, refused.status(), refused.toString());
      assertTrue(refused.body().contains("no state machine 4242 is registered for group 3"), refused.body());
    }
    assertEquals("200 value 5", post(1, G, "add 5").toString());
    kvWritesAnswer(List.of(0, 1, 2, 3));
    forEachNode(n -> assertEquals(List.of("RUNNING", "RUNNING", "RUNNING", "RUNNING"), groupStates(n)));
    mark("poison proposal refused", started);

    // 2. rolling upgrade: 1.2.0 next to 1.1.0 on nodes 1 and 2 only
    for (int n = 1; n <= 2; n++) {
      copy(TestPlugins.counter("v2"), nodeDeploy(n).resolve("counter-v2.jar"));
      int node = n;
      TestSupport.await().atMost(STEP).untilAsserted(() ->
          assertEquals(List.of("1.1.0 RUNNING", "1.2.0 STANDBY"), machines(node, G), groupJson(node, G)));
      if (n == 1) {
        assertEquals("200 unknown command multiply (value 5)", post(1, G, "multiply 3").toString(),
            "before the activation 1.1.0 executes it, on every node");
      }
    }
    Http.Reply activated = activate(1, "1.2.0");
    assertEquals(200, activated.status(), activated.toString());
    assertEquals("1.2.0", MiniJson.at(MiniJson.parse(activated.body()), String.valueOf(G), "version"), activated.body());
    assertEquals("200 value 15", post(1, G, "multiply 3").toString(), "1.2.0 in force from the activation on");
    TestSupport.await().atMost(STEP).untilAsserted(() -> {
      Object group = MiniJson.at(cluster.status(3), "groups", G);
      assertEquals("WAITING", MiniJson.at(group, "state"), String.valueOf(group));
      assertEquals(List.of("4242@1.2.0"), MiniJson.at(group, "waitingForVersions"), String.valueOf(group));
    });
    assertEquals("200 15", get(2));
    copy(TestPlugins.counter("v2"), nodeDeploy(3).resolve("counter-v2.jar"));
    forEachNode(n -> {
      assertEquals("RUNNING", MiniJson.at(cluster.status(n), "groups", G, "state"));
      assertEquals("200 15", get(n), "node " + n);
    });
    mark("rolling upgrade without divergence", started);

    // 3. side by side; the older removed: the newer serves, nothing waits
    forEachNode(n -> assertEquals(List.of("1.2.0 RUNNING", "1.1.0 STANDBY"), machines(n, G), groupJson(n, G)));
    Files.delete(cluster.sharedDeploy().resolve("counter-v1.jar"));
    forEachNode(n -> {
      assertEquals(List.of("1.2.0"), counterVersions(n), "node " + n);
      assertEquals(List.of("1.2.0 RUNNING"), machines(n, G), groupJson(n, G));
    });
    assertEquals("200 value 16", post(2, G, "add 1").toString());
    forEachNode(n -> {
      assertEquals("200 16", get(n), "node " + n);
      assertEquals(List.of("RUNNING", "RUNNING", "RUNNING", "RUNNING"), groupStates(n), "node " + n);
    });
    mark("older removed, newer serves", started);

    // 4. failure containment and recovery without a restart
    long[] pids = new long[3];
    for (int n = 1; n <= 3; n++) {
      pids[n - 1] = cluster.process(n).pid();
    }
    copy(TestPlugins.counter("poison"), cluster.sharedDeploy().resolve("counter-poison.jar"));
    forEachNode(n -> assertEquals(List.of("1.2.0 RUNNING", "1.3.0.poison STANDBY"), machines(n, G), groupJson(n, G)));
    Http.Reply poisonActivated = activate(2, "1.3.0.poison");
    assertEquals(200, poisonActivated.status(), poisonActivated.toString());
    assertEquals("200 value 17", post(3, G, "add 1").toString());
    // answered only when the engine gives up on it (the group is stuck there): don't wait for it
    CompletableFuture<Http.Reply> poisoned = CompletableFuture.supplyAsync(() -> post(1, G, "poison"));
    forEachNode(n -> {
      Object machine = machine(n, G, "FAILED");
      assertEquals("1.3.0.poison", MiniJson.at(machine, "version"), String.valueOf(machine));
      assertTrue(String.valueOf(MiniJson.at(machine, "failure")).contains("this build of the counter cannot execute it"),
          String.valueOf(machine));
    });
    kvWritesAnswer(List.of(0, 1, 3));
    putConfig(V2_PID, "{\"paxos.statemachine.version\":\"1.3.0.poison\"}");
    forEachNode(n -> assertEquals("1.3.0.poison", MiniJson.at(machine(n, G, "REFUSED"), "version"),
        "the fix with the version in force is a duplicate while the failed service is there"));
    Files.delete(cluster.sharedDeploy().resolve("counter-poison.jar"));
    forEachNode(n -> {
      assertEquals(List.of("1.3.0.poison RUNNING"), machines(n, G), groupJson(n, G));
      assertEquals("RUNNING", MiniJson.at(cluster.status(n), "groups", G, "state"));
      assertEquals("200 17", get(n), "the fix answers 'unknown' to poison, on node " + n);
    });
    assertEquals("200 value 34", post(2, G, "multiply 2").toString(), "the fix executes new commands");
    forEachNode(n -> {
      assertEquals("200 34", get(n), "node " + n);
      assertEquals(List.of("RUNNING", "RUNNING", "RUNNING", "RUNNING"), groupStates(n), "node " + n);
    });
    for (int n = 1; n <= 3; n++) {
      assertEquals(pids[n - 1], cluster.process(n).pid(), "node " + n + " was not restarted");
      assertTrue(cluster.process(n).isAlive(), "node " + n);
      String prefix = "node " + n + " started: ";
      try (var lines = Files.lines(cluster.log(n))) {
        assertEquals(1, lines.filter(l -> l.contains(prefix)).count(), "the engine (node component) started once on node " + n);
      }
    }
    System.out.println("poisoned POST answered: " + poisoned.get(STEP.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
    mark("failure contained and recovered", started);
  }

  /** Asserts {@code check} on every node, each bounded by {@link #STEP}. */
  private void forEachNode(NodeCheck check) {
    for (int n = 1; n <= 3; n++) {
      int node = n;
      TestSupport.await().atMost(STEP).untilAsserted(() -> check.on(node));
    }
  }

  @FunctionalInterface
  private interface NodeCheck {
    void on(int node) throws Exception;
  }

  /** Counter 4242's entries in a group's status on a node, as "version STATE", in status order. */
  private List<String> machines(int node, int group) {
    List<String> out = new ArrayList<>();
    for (Object m : counterEntries(node, group)) {
      out.add(MiniJson.at(m, "version") + " " + MiniJson.at(m, "state"));
    }
    return out;
  }

  /** The (first) entry of counter 4242 in {@code state}; fails if there is none. */
  private Object machine(int node, int group, String state) {
    return counterEntries(node, group).stream().filter(m -> state.equals(MiniJson.at(m, "state"))).findFirst()
        .orElseThrow(() -> new AssertionError("node " + node + ": no " + state + " counter in "
            + MiniJson.at(cluster.status(node), "groups", group)));
  }

  private List<Object> counterEntries(int node, int group) {
    Map<String, Object> status = cluster.status(node);
    if (status == null) {
      throw new AssertionError("node " + node + " does not answer its status");
    }
    List<Object> out = new ArrayList<>();
    for (Object m : (List<?>) MiniJson.at(status, "groups", group, "stateMachines")) {
      if (Long.valueOf(ID).equals(MiniJson.at(m, "id"))) {
        out.add(m);
      }
    }
    return out;
  }

  /** A group's status on a node, for assertion messages. */
  private String groupJson(int node, int group) {
    Map<String, Object> status = cluster.status(node);
    return "node " + node + ": " + (status == null ? "no status" : String.valueOf(MiniJson.at(status, "groups", group)));
  }

  private List<String> groupStates(int node) {
    List<String> out = new ArrayList<>();
    for (Object g : (List<?>) cluster.status(node).get("groups")) {
      out.add(String.valueOf(MiniJson.at(g, "state")));
    }
    return out;
  }

  /** Versions of the Active counter bundles on a node (console). */
  private List<String> counterVersions(int node) {
    List<String> out = new ArrayList<>();
    Http.Reply reply = cluster.console(node).get("/system/console/bundles.json");
    for (Object b : (List<?>) MiniJson.at(MiniJson.parse(reply.body()), "data")) {
      if (COUNTER.equals(MiniJson.at(b, "symbolicName")) && "Active".equals(MiniJson.at(b, "state"))) {
        out.add(String.valueOf(MiniJson.at(b, "version")));
      }
    }
    return out;
  }

  /** A KV write to a key of each group, through each node: every one answers 2xx. */
  private void kvWritesAnswer(List<Integer> groups) {
    for (int group : groups) {
      String key = keyOf(group);
      for (int n = 1; n <= 3; n++) {
        int node = n;
        TestSupport.await().atMost(STEP).untilAsserted(() -> {
          Http.Reply reply = cluster.http(node).put("/kv/" + key, "v" + node);
          assertTrue(reply.status() / 100 == 2, "group " + group + " node " + node + ": " + reply);
        });
      }
    }
  }

  /** A key the KV plugin places in {@code group} (its rule: floorMod(key.hashCode(), groups)). */
  private static String keyOf(int group) {
    for (int i = 0; ; i++) {
      if (Math.floorMod(("k" + i).hashCode(), GROUPS) == group) {
        return "k" + i;
      }
    }
  }

  /** PUT through the replicated config store (lands in ConfigAdmin on every node). */
  private void putConfig(String pid, String json) {
    TestSupport.await().atMost(STEP).untilAsserted(() -> {
      Http.Reply reply = cluster.http(1).send("PUT", "/config/" + pid + "?force=true", json, "application/json", null);
      assertTrue(reply.status() / 100 == 2, reply.toString());
    });
  }

  private Http.Reply activate(int node, String version) {
    return cluster.console(node).send("POST", "/system/console/paxos/statemachines/" + ID + "/activate", version,
        "text/plain", null);
  }

  private Http.Reply post(int node, int group, String command) {
    return cluster.http(node).send("POST", "/counter/" + group, command, "text/plain", null);
  }

  private String get(int node) {
    return cluster.http(node).get("/counter/" + G).toString();
  }

  private Path nodeDeploy(int node) {
    return cluster.settings(node).nodeDir().resolve("deploy");
  }

  private static void mark(String step, long startedNanos) {
    System.out.printf("ThirdPartyPluginIT: %s after %.1f s%n", step, (System.nanoTime() - startedNanos) / 1e9);
  }

  private static void copy(Path jar, Path target) throws Exception {
    Files.createDirectories(target.getParent());
    // written beside the watched folder, then moved in atomically: FileInstall never sees half a jar
    Path tmp = target.getParent().resolveSibling(target.getFileName() + ".tmp");
    Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
  }
}
