package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example plugin built outside the reactor ({@code examples/counter}) deployed into a running
 * 3-node platform: its bundle resolves against the platform's {@code paxos.plugin.support}, a
 * command sent to node 1 through the command endpoint is executed on every node (each node's REST
 * resource answers the same value), and a command through node 3's REST resource too.
 *
 * <p>Runs only when {@code -Dpaxos.example.jar=<jar>} names the example's jar: {@code .ci/run}
 * builds the example after the main build, then runs this test; a plain {@code mvn verify}
 * skips it (the jar does not exist yet at that point). With {@code -Dpaxos.guide.jar=<jar>} it
 * also deploys the plugin the README's "Writing a state machine" builds (ID 4301) and sends the
 * guide's three commands to the three nodes.
 */
class ExampleCounterIT {
  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration STEP = Duration.ofSeconds(60);
  private static final int ID = 4300;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path temp;
  private LocalCluster cluster;

  @AfterEach
  void stop() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theExampleBuiltOutsideTheReactorRunsReplicatedOnEveryNode() throws Exception {
    String property = System.getProperty("paxos.example.jar", "");
    assumeTrue(!property.isBlank() && Files.isRegularFile(Path.of(property)),
        "set -Dpaxos.example.jar to examples/counter's jar (.ci/run does)");
    cluster = LocalCluster.start(temp, 3, Map.of());
    cluster.awaitReady(START);
    deploy(Path.of(property), "example-counter.jar");

    for (int n = 1; n <= 3; n++) {
      int node = n;
      TestSupport.await().atMost(STEP).untilAsserted(() ->
          assertEquals("200 {\"value\":0}", cluster.http(node).get("/counter/0").toString(), "node " + node));
    }
    TestSupport.await().atMost(STEP).untilAsserted(() -> {
      Http.Reply reply = cluster.console(1).send("POST", "/paxos/groups/0/statemachines/" + ID, "add 5",
          "application/octet-stream", null);
      assertEquals("200 {\"understood\":true,\"value\":5}", reply.toString());
    });
    Http.Reply viaRest = cluster.http(3).send("POST", "/counter/0", "add 2", "text/plain", null);
    assertEquals("200 {\"understood\":true,\"value\":7}", viaRest.toString());
    for (int n = 1; n <= 3; n++) {
      int node = n;
      TestSupport.await().atMost(STEP).untilAsserted(() ->
          assertEquals("200 {\"value\":7}", cluster.http(node).get("/counter/0?consistency=stale").toString(),
              "node " + node));
    }
    Http.Reply unknown = cluster.http(2).send("POST", "/counter/0", "multiply 3", "text/plain", null);
    assertTrue(unknown.body().contains("\"understood\":false"), unknown.toString());

    String guide = System.getProperty("paxos.guide.jar", "");
    if (!guide.isBlank()) {
      deploy(Path.of(guide), "my-counter.jar");
      String[] expected = {"5", "7", "7"};
      String[] sent = {"5", "2", "0"};
      for (int n = 1; n <= 3; n++) {
        int node = n;
        TestSupport.await().atMost(STEP).untilAsserted(() -> assertEquals("200 " + expected[node - 1],
            cluster.console(node).send("POST", "/paxos/groups/0/statemachines/4301", sent[node - 1],
                "application/octet-stream", null).toString(), "node " + node));
      }
    }
  }

  private void deploy(Path jar, String name) throws Exception {
    Path target = cluster.sharedDeploy().resolve(name);
    Path tmp = target.getParent().resolveSibling(name + ".tmp"); // outside the watched folder
    Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
  }
}
