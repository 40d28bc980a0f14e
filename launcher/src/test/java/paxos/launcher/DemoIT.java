package paxos.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./paxos demo} as the user runs it: Demo in its own JVM on free ports with a temp data
 * folder; three consoles answer the generated login; a bundle dropped into the shared deploy
 * folder starts on all three; SIGTERM to Demo stops all three nodes.
 */
class DemoIT {

  @TempDir Path temp;
  private Process demo;

  @AfterEach
  void killLeftovers() {
    if (demo != null) {
      demo.descendants().forEach(ProcessHandle::destroyForcibly);
      demo.destroyForcibly();
    }
  }

  @Test
  void demoStartsThreeNodesSharesDeployAndSigtermStopsThemAll() throws Exception {
    int[] ports = TestSupport.freePorts(6);
    String paxosPorts = ports[0] + "," + ports[1] + "," + ports[2];
    int[] httpPorts = {ports[3], ports[4], ports[5]};
    Path data = temp.resolve("demo");
    demo = TestSupport.demo(List.of(), List.of(
            "--paxos-ports", paxosPorts, "--http-ports", httpPorts[0] + "," + httpPorts[1] + "," + httpPorts[2],
            "--data", data.toString()))
        .redirectErrorStream(true)
        .redirectOutput(temp.resolve("demo.out").toFile())
        .start();

    Path secrets = data.resolve("demo.properties");
    TestSupport.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(secrets));
    Properties login = new Properties();
    try (Reader in = Files.newBufferedReader(secrets, StandardCharsets.UTF_8)) {
      login.load(in);
    }
    String password = login.getProperty("console.password");
    long startNanos = System.nanoTime();
    TestSupport.await().atMost(Duration.ofSeconds(120)).until(() -> {
      for (int port : httpPorts) {
        if (TestSupport.get(port, "/system/console/bundles.json", Demo.CONSOLE_USER, password) == null) {
          return false;
        }
      }
      return true;
    });
    System.out.printf("demo: 3 consoles up %d ms after the secrets file appeared%n",
        (System.nanoTime() - startNanos) / 1_000_000);
    TestSupport.await().atMost(Duration.ofSeconds(30)).until(() ->
        Files.readString(temp.resolve("demo.out")).contains("3 nodes up"));
    for (int n = 1; n <= 3; n++) {
      // the node's identity is the transport's configuration; the engine's and the store's sit beside it
      assertTrue(Files.readString(data.resolve("node-" + n + "/deploy/paxos.transport.netty.cfg"))
          .contains("nodeId = " + n), "node " + n + " has its paxos.transport.netty configuration");
      assertTrue(Files.exists(data.resolve("node-" + n + "/deploy/paxos.node.cfg")), "and its paxos.node one");
      assertTrue(Files.exists(data.resolve("node-" + n + "/deploy/paxos.storage.leveldb.cfg")), "and its store's");
    }

    // one jar in the shared deploy folder reaches all three nodes
    TestSupport.writeBundle(data.resolve("deploy"), "shared-dropin.jar", "paxos.test.shared");
    TestSupport.await().atMost(Duration.ofSeconds(60)).until(() -> {
      for (int port : httpPorts) {
        String json = TestSupport.get(port, "/system/console/bundles.json", Demo.CONSOLE_USER, password);
        if (json == null || TestSupport.bundles(json).stream().noneMatch(
            b -> b.symbolicName().equals("paxos.test.shared") && b.state().equals("Active"))) {
          return false;
        }
      }
      return true;
    });

    List<ProcessHandle> nodes = demo.descendants().filter(p -> p.info().commandLine()
        .map(c -> c.contains("platform.jar")).orElse(false)).toList();
    assertEquals(3, nodes.size(), "three node JVMs");
    demo.destroy(); // SIGTERM, as Ctrl-C or kill would
    TestSupport.await().atMost(Duration.ofSeconds(60)).until(() ->
        !demo.isAlive() && nodes.stream().noneMatch(ProcessHandle::isAlive));
    for (int n = 1; n <= 3; n++) {
      String log = Files.readString(data.resolve("node-" + n + "/node.log"));
      assertTrue(log.contains("paxos platform: framework stopped in"), "node " + n + " stopped cleanly:\n" + log);
    }
    assertTrue(Files.readString(temp.resolve("demo.out")).contains("paxos demo: stopped."));
  }
}
